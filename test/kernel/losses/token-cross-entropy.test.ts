import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../../../kernel/src/backend/tf';
import { mlmLoss } from '../../../kernel/src/losses/token-cross-entropy';

test('mlmLoss by hand: mean cross-entropy over the weighted positions only', () => {
  const logits = tf.tensor3d([
    [
      [2, 0, 0],
      [0, 5, 0],
      [1, 1, 1]
    ]
  ]); // [1, 3, 3]
  const targets = tf.tensor2d([[0, 2, 1]], undefined, 'int32');
  const weights = tf.tensor2d([[1, 0, 1]]);
  const logSoftmax = (row: number[], t: number) =>
    row[t] - Math.log(row.reduce((a, v) => a + Math.exp(v), 0));
  const expected = -(logSoftmax([2, 0, 0], 0) + logSoftmax([1, 1, 1], 1)) / 2;
  const loss = mlmLoss(logits, targets, weights);
  assert.ok(Math.abs(loss.dataSync()[0] - expected) < 1e-5, `${loss.dataSync()[0]} vs ${expected}`);
  // The unweighted position may hold anything: the loss does not move.
  const other = tf.tensor3d([
    [
      [2, 0, 0],
      [0, -9, 30],
      [1, 1, 1]
    ]
  ]);
  assert.ok(Math.abs(mlmLoss(other, targets, weights).dataSync()[0] - expected) < 1e-5);
  // Without weights every position counts.
  const all = (-logSoftmax([2, 0, 0], 0) - logSoftmax([0, 5, 0], 2) - logSoftmax([1, 1, 1], 1)) / 3;
  assert.ok(Math.abs(mlmLoss(logits, targets).dataSync()[0] - all) < 1e-5);
  tf.dispose([logits, targets, weights, loss, other]);
});
