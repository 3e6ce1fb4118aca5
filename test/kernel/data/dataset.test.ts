import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import { splitForSsl, subset, type ImageDataset } from '../../../kernel/src/data/dataset';

function toy(perClass: number, classes = 3): ImageDataset {
  const n = perClass * classes;
  // Pixel value encodes the row index so we can check which rows a subset holds.
  const images = tf.tidy(
    () => tf.range(0, n).reshape([n, 1, 1, 1]).tile([1, 2, 2, 1]).div(n) as Tensor4D
  );
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  return { name: 'toy', inputs: images, labels };
}

test('splitForSsl: test is disjoint from the pool, labeled is a subset of the pool, stratified', () => {
  const data = toy(50);
  const split = splitForSsl(data, { testFraction: 0.2, labelFraction: 0.1, seed: 7 });
  const pool = new Set(split.indices.unlabeled);
  for (const i of split.indices.test) {
    assert.ok(!pool.has(i), `test row ${i} also in the pool`);
  }
  for (const i of split.indices.labeled) {
    assert.ok(pool.has(i), `labeled row ${i} not in the pool`);
  }
  assert.equal(split.indices.test.length + split.indices.unlabeled.length, 150);
  assert.deepEqual(split.protocol.testPerClass, [10, 10, 10]);
  assert.deepEqual(split.protocol.labeledPerClass, [4, 4, 4]);
  assert.equal(split.unlabeled.labels, undefined, 'the pretraining pool must not carry labels');
  // Rows really are the indexed source rows (pixel value = row index / n).
  const pixels = split.test.inputs.reshape([-1, 4]).slice([0, 0], [-1, 1]).dataSync();
  assert.deepEqual(
    Array.from(pixels, v => Math.round(v * 150)),
    Array.from(split.indices.test)
  );
  assert.deepEqual(
    Array.from(split.test.labels!),
    Array.from(split.indices.test, i => i % 3)
  );
});

test('splitForSsl is repeatable with a seed and changes with another seed', () => {
  const data = toy(40);
  const a = splitForSsl(data, { seed: 1 });
  const b = splitForSsl(data, { seed: 1 });
  const c = splitForSsl(data, { seed: 2 });
  assert.deepEqual(a.indices, b.indices);
  assert.notDeepEqual(a.indices.test, c.indices.test);
});

test('splitForSsl labelsPerClass gives exact counts', () => {
  const split = splitForSsl(toy(30), { labelsPerClass: 5 });
  assert.deepEqual(split.protocol.labeledPerClass, [5, 5, 5]);
});

test('splitForSsl rejects unlabeled data, bad fractions and classes too small to hold out', () => {
  const data = toy(10);
  assert.throws(() => splitForSsl({ name: 'u', inputs: data.inputs }), /has no labels/);
  assert.throws(
    () => splitForSsl(data, { testFraction: 1.5 }),
    /testFraction must be between 0 and 1/
  );
  assert.throws(() => splitForSsl(data, { labelFraction: 0 }), /labelFraction/);
  const tiny = subset(data, Int32Array.from([0, 1, 2, 3, 4]));
  assert.throws(() => splitForSsl(tiny), /Class 1 has 2|Class 2 has 1/);
});
