import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor2D } from '../../../kernel/src/backend/tf';
import { rotationLoss } from '../../../kernel/src/losses/rotation';
import { PretextError } from '../../../kernel/src/util/errors';

test('rotationLoss by hand: rows come in four blocks labelled 0, 1, 2, 3', () => {
  // Batch of 1: row k is the image rotated by k * 90 degrees, so its label is k.
  const logits = tf.tensor2d([
    [2, 0, 0, 0],
    [0, 0, 0, 0],
    [0, 0, 1, 0],
    [0, 3, 0, 0]
  ]) as Tensor2D;
  const nll = (row: number[], label: number) =>
    Math.log(row.reduce((a, v) => a + Math.exp(v), 0)) - row[label];
  const expected =
    (nll([2, 0, 0, 0], 0) + nll([0, 0, 0, 0], 1) + nll([0, 0, 1, 0], 2) + nll([0, 3, 0, 0], 3)) / 4;
  const loss = rotationLoss(logits);
  assert.ok(Math.abs(loss.dataSync()[0] - expected) < 1e-5, `${loss.dataSync()[0]} vs ${expected}`);
  // Batch of 2: labels 0, 0, 1, 1, ...; confident right answers give a loss near 0.
  const right = tf.tidy(() =>
    tf.mul(tf.oneHot(tf.tensor1d([0, 0, 1, 1, 2, 2, 3, 3], 'int32'), 4), 50)
  );
  assert.ok(rotationLoss(right as Tensor2D).dataSync()[0] < 1e-6);
  assert.throws(() => rotationLoss(tf.zeros([3, 4]) as Tensor2D), PretextError);
  assert.throws(() => rotationLoss(tf.zeros([4, 3]) as Tensor2D), /\[4 \* batch, 4\]/);
  tf.dispose([logits, loss, right]);
});
