import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor } from '../../../../kernel/src/backend/tf';
import { originalGradient } from '../../../../kernel/src/backend/native/install';
import { gradBoth, relDiff } from './compare';

const cases: [string, (x: Tensor) => Tensor][] = [
  ['Mean over H, W (global average pool)', x => tf.mean(x, [1, 2])],
  ['Mean over H, W, keepDims', x => tf.mean(x, [1, 2], true)],
  ['Mean over everything', x => tf.mean(x)],
  ['Mean over the last axis, negative index', x => tf.mean(x, -1)],
  ['Sum over H, W', x => tf.sum(x, [1, 2])],
  ['Sum over the batch axis', x => tf.sum(x, 0)],
  ['Sum over everything', x => tf.sum(x)]
];

for (const [name, f] of cases) {
  test(`${name}: native gradient equals tfjs's, no Fill/Mul of ones, no leaks`, async () => {
    const x = tf.randomNormal([3, 5, 7, 2], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const { native, original, nativeKernels } = await gradBoth(f, x);
    assert.ok(!nativeKernels.includes('Fill'), nativeKernels.join(', '));
    assert.deepEqual(native.shape, x.shape);
    assert.equal(native.dtype, 'float32');
    assert.ok(relDiff(native, original) <= 1e-6, `rel diff ${relDiff(native, original)}`);
    tf.dispose([native, original]);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });
}

test('Sum of an int32 tensor takes the original gradient (same values and dtype)', () => {
  const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3], 'int32');
  const dy = tf.tensor1d([1, 2], 'int32');
  const attrs = { axis: 1, keepDims: false };
  const ours = tf.getGradient('Sum').gradFunc(dy, [x], attrs) as Record<string, () => Tensor>;
  const theirs = originalGradient(tf, 'Sum')!.gradFunc(dy, [x], attrs) as Record<
    string,
    () => Tensor
  >;
  const [a, b] = [ours.x(), theirs.x()];
  assert.deepEqual(Array.from(a.dataSync()), Array.from(b.dataSync()));
  assert.equal(a.dtype, b.dtype);
  tf.dispose([x, dy, a, b]);
});
