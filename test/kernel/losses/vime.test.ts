import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../../../kernel/src/backend/tf';
import { vimeLoss } from '../../../kernel/src/losses/vime';
import { PretextError } from '../../../kernel/src/util/errors';

test('vimeLoss by hand: BCE on mask logits plus alpha times MSE', () => {
  const mask = tf.tensor2d([[1, 0]]);
  const logits = tf.tensor2d([[2, -1]]);
  const rows = tf.tensor2d([[1, 2]]);
  const recon = tf.tensor2d([[0, 4]]);
  // BCE: -log(sigmoid(2)) = log(1 + e^-2) = 0.126928; -log(1 - sigmoid(-1)) = log(1 + e^-1) = 0.313262.
  const bce = (Math.log1p(Math.exp(-2)) + Math.log1p(Math.exp(-1))) / 2;
  const mse = (1 + 4) / 2;
  const value = vimeLoss(mask, logits, rows, recon, 2);
  assert.ok(Math.abs(value.dataSync()[0] - (bce + 2 * mse)) < 1e-5, `${value.dataSync()[0]}`);
  const maskOnly = vimeLoss(mask, logits, rows, recon, 0);
  assert.ok(Math.abs(maskOnly.dataSync()[0] - bce) < 1e-6);
  // Stable for huge logits (no log(0) = -Infinity).
  const big = vimeLoss(mask, tf.tensor2d([[500, -500]]), rows, rows, 1);
  assert.ok(Math.abs(big.dataSync()[0]) < 1e-6);
  assert.throws(
    () => vimeLoss(mask, tf.tensor2d([[1, 2, 3]]), rows, recon, 1),
    (e: unknown) => e instanceof PretextError && /must have one shape/.test(e.message)
  );
  assert.throws(() => vimeLoss(mask, logits, rows, recon, -1), /alpha must be a non-negative/);
});
