import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor2D } from '../../../kernel/src/backend/tf';
import { knnAccuracy, knnClassify } from '../../../kernel/src/eval/knn';
import { PretextError } from '../../../kernel/src/util/errors';
import { rng } from '../../../kernel/src/util/random';

/** n points per class around one axis direction each (well separated in angle). */
function clusters(nPerClass: number, classes: number, dim: number, seed: number, spread = 0.3) {
  const random = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < classes; c++) {
    for (let i = 0; i < nPerClass; i++) {
      rows.push(Array.from({ length: dim }, (_, j) => (j === c ? 3 : 0) + spread * gauss()));
      labels.push(c);
    }
  }
  return { x: tf.tensor2d(rows) as Tensor2D, y: Int32Array.from(labels) };
}

test('kNN classifies two well-separated clusters perfectly, in chunks or not, without leaks', () => {
  const train = clusters(30, 2, 8, 1);
  const test_ = clusters(20, 2, 8, 2);
  const before = tf.memory().numTensors;
  assert.equal(knnAccuracy(train.x, train.y, test_.x, test_.y), 1);
  assert.equal(knnAccuracy(train.x, train.y, test_.x, test_.y, { k: 5, weighting: 'majority' }), 1);
  const whole = knnClassify(train.x, train.y, test_.x, { k: 7 });
  const chunked = knnClassify(train.x, train.y, test_.x, { k: 7, chunkSize: 3 });
  assert.deepEqual(chunked, whole);
  assert.equal(tf.memory().numTensors, before);
  // Swapping the training labels must flip every prediction: the test can fail.
  const swapped = train.y.map(v => 1 - v);
  assert.equal(knnAccuracy(train.x, swapped, test_.x, test_.y), 0);
  tf.dispose([train.x, test_.x]);
});

test('kNN votes: majority vs similarity weighting on a hand-made case', () => {
  // Test point (1, 0). Nearest: a class-1 point at cos 1; then two class-0 points at cos ~0.7.
  const train = tf.tensor2d([
    [1, 0],
    [0.7, 0.72],
    [0.7, -0.72],
    [-1, 0]
  ]) as Tensor2D;
  const labels = Int32Array.from([1, 0, 0, 1]);
  const query = tf.tensor2d([[1, 0]]) as Tensor2D;
  assert.deepEqual(Array.from(knnClassify(train, labels, query, { k: 1 })), [1]);
  // k = 3 majority: two votes for class 0 against one for class 1.
  assert.deepEqual(
    Array.from(knnClassify(train, labels, query, { k: 3, weighting: 'majority' })),
    [0]
  );
  // k = 3 weighted at T = 0.07: exp(0) vs 2 exp((0.7 - 1) / 0.07) = 2 * 0.0138, class 1 wins.
  assert.deepEqual(Array.from(knnClassify(train, labels, query, { k: 3 })), [1]);
  // At T = 10 the weights are nearly equal, so it behaves like the majority vote.
  assert.deepEqual(Array.from(knnClassify(train, labels, query, { k: 3, temperature: 10 })), [0]);
  tf.dispose([train, query]);
});

test('kNN rejects bad inputs with PretextError', () => {
  const train = clusters(3, 2, 4, 1);
  const test_ = clusters(2, 2, 4, 2);
  const otherDim = tf.zeros([4, 5]) as Tensor2D;
  const withNaN = tf.tensor2d([
    [NaN, 0, 0, 0],
    [1, 0, 0, 0]
  ]) as Tensor2D;
  const flat = tf.zeros([6]) as unknown as Tensor2D;
  assert.throws(
    () => knnClassify(train.x, train.y, test_.x, { k: 7 }),
    /k = 7 is larger than the 6/
  );
  assert.throws(
    () => knnClassify(train.x, train.y.slice(1), test_.x),
    /5 entries but the embeddings have 6 rows/
  );
  assert.throws(() => knnAccuracy(train.x, train.y, test_.x, test_.y.slice(1)), PretextError);
  assert.throws(
    () => knnClassify(train.x, train.y, otherDim, { k: 3 }),
    /4 features but test embeddings have 5/
  );
  assert.throws(() => knnClassify(train.x, train.y, withNaN, { k: 3 }), /NaN/);
  assert.throws(() => knnClassify(flat, train.y, test_.x, { k: 3 }), /2-D tensor/);
  assert.throws(
    () => knnClassify(train.x, train.y, test_.x, { k: 3, numClasses: 1 }),
    /class 1 but numClasses is 1/
  );
  assert.throws(
    () => knnClassify(train.x, Int32Array.from([0, 1, 2, -1, 0, 1]), test_.x, { k: 3 }),
    /not a class index/
  );
  assert.throws(() => knnClassify(train.x, train.y, test_.x, { k: 0 }), PretextError);
  assert.throws(
    () => knnClassify(train.x, train.y, test_.x, { k: 3, weighting: 'vote' as never }),
    PretextError
  );
  assert.throws(
    () => knnClassify(train.x, train.y, test_.x, { kk: 3 } as never),
    /Unknown option 'kk'/
  );
  tf.dispose([train.x, test_.x, otherDim, withNaN, flat]);
});
