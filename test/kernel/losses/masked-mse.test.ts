import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../../../kernel/src/backend/tf';
import { maskedMse } from '../../../kernel/src/losses/masked-mse';

test('maskedMse counts hidden steps only, all channels, by hand', () => {
  const target = tf.tensor3d([
    [
      [1, 2],
      [3, 4],
      [5, 6]
    ]
  ]);
  const recon = tf.tensor3d([
    [
      [0, 0],
      [3, 4],
      [5, 0]
    ]
  ]);
  const mask = tf.tensor3d([[[1], [0], [1]]]);
  // Hidden steps 0 and 2: squared errors 1 + 4 + 0 + 36 = 41 over 2 steps x 2 channels.
  assert.ok(Math.abs(maskedMse(recon, target, mask).dataSync()[0] - 41 / 4) < 1e-6);
  // Errors on visible steps cost nothing.
  const wrongVisible = tf.tensor3d([
    [
      [1, 2],
      [99, 99],
      [5, 6]
    ]
  ]);
  assert.equal(maskedMse(wrongVisible, target, mask).dataSync()[0], 0);
  tf.dispose([target, recon, mask, wrongVisible]);
});
