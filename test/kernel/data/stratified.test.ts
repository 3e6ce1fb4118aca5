import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../../../kernel/src/backend/tf';
import { disposeDataset, splitForSsl } from '../../../kernel/src/data/dataset';
import { rowsByClass, stratifiedSample } from '../../../kernel/src/data/stratified';
import { drawSubset } from '../../../kernel/src/eval/label-efficiency';

const labels = Int32Array.from({ length: 90 }, (_, i) => (i * 7) % 3);

test('rowsByClass groups rows by class, each in a seeded order, and keeps every row once', () => {
  const rows = Int32Array.from({ length: 60 }, (_, i) => i + 30);
  const groups = rowsByClass(rows, labels, 3, 4);
  assert.deepEqual(
    groups.flat().sort((a, b) => a - b),
    Array.from(rows)
  );
  groups.forEach((members, cls) => assert.ok(members.every(i => labels[i] === cls)));
  assert.deepEqual(rowsByClass(rows, labels, 3, 4), groups);
  assert.notDeepEqual(rowsByClass(rows, labels, 3, 5), groups);
});

test('splitForSsl and the label-efficiency subsets are draws of the same sampler', () => {
  const data = { name: 'toy', inputs: tf.zeros([90, 2]), labels };
  const split = splitForSsl(data, { testFraction: 0.2, labelsPerClass: 5, seed: 3 });
  try {
    // The test set is the first 20% of each class in the sampler's order for that seed...
    const all = Int32Array.from({ length: 90 }, (_, i) => i);
    assert.deepEqual(
      split.indices.test,
      stratifiedSample(all, labels, 3, () => 6, 3)
    );
    // ...and drawSubset is that sampler over the pool.
    const pool = split.indices.unlabeled;
    assert.deepEqual(
      drawSubset(pool, labels, 3, () => 4, 1),
      stratifiedSample(pool, labels, 3, () => 4, 1)
    );
  } finally {
    for (const part of [split.unlabeled, split.labeled, split.test]) {
      disposeDataset(part);
    }
    data.inputs.dispose();
  }
});
