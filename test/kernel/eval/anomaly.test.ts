import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor2D } from '../../../kernel/src/backend/tf';
import { anomalyScores, auroc } from '../../../kernel/src/eval/anomaly';

test('auroc matches hand-computed cases, with ties counted half', () => {
  assert.equal(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1);
  assert.equal(auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0);
  // Pairs (anomaly, normal): (0.5 vs 0.1) win, (0.5 vs 0.7) loss, (0.9 vs both) wins -> 3/4.
  assert.equal(auroc([0.1, 0.7, 0.5, 0.9], [0, 0, 1, 1]), 0.75);
  // All tied: chance.
  assert.equal(auroc([1, 1, 1, 1], [0, 1, 0, 1]), 0.5);
  assert.throws(() => auroc([1, 2], [1, 1]), /needs both anomalies and normal examples/);
  assert.throws(() => auroc([1, 2], [1]), /2 scores and 1 labels/);
});

test('points off the normal cluster score higher and are ranked first', () => {
  // Normal data points along +x; anomalies along +y.
  const normal = tf.tidy(
    () =>
      tf.add(tf.tensor2d([[1, 0, 0]]), tf.randomNormal([50, 3], 0, 0.05, 'float32', 1)) as Tensor2D
  );
  const queries = tf.tidy(
    () =>
      tf.concat([
        tf.add(tf.tensor2d([[1, 0, 0]]), tf.randomNormal([10, 3], 0, 0.05, 'float32', 2)),
        tf.add(tf.tensor2d([[0, 1, 0]]), tf.randomNormal([10, 3], 0, 0.05, 'float32', 3))
      ]) as Tensor2D
  );
  const before = tf.memory().numTensors;
  const scores = anomalyScores(normal, queries, { k: 3, chunkSize: 7 });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(scores.length, 20);
  assert.ok(Math.max(...scores.slice(0, 10)) < Math.min(...scores.slice(10)));
  assert.equal(auroc(scores, [...new Array(10).fill(0), ...new Array(10).fill(1)]), 1);
  assert.throws(
    () => anomalyScores(normal, queries, { k: 0 }),
    /k must be an integer between 1 and the 50/
  );
  assert.throws(() => anomalyScores(normal, tf.zeros([2, 4]) as Tensor2D), /same width/);
});
