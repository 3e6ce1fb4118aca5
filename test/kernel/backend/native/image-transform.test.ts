import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor4D } from '../../../../kernel/src/backend/tf';
import {
  projectiveTransform,
  projectiveTransformAvailable
} from '../../../../kernel/src/backend/native/image-transform';

test('ImageProjectiveTransformV3: identity, an integer shift with fill, tracked by tidy', () => {
  const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
  const before = tf.memory().numTensors;
  const same = projectiveTransform(tf, x, new Float32Array([1, 0, 0, 0, 1, 0, 0, 0]), 9);
  assert.deepEqual(Array.from(same.dataSync()), [1, 2, 3, 4, 5, 6]);
  // Output column x reads source column x - 1: content moves right, column 0 takes the fill.
  const right = projectiveTransform(tf, x, new Float32Array([1, 0, -1, 0, 1, 0, 0, 0]), 9);
  assert.deepEqual(Array.from(right.dataSync()), [9, 1, 2, 9, 4, 5]);
  // Half a pixel: the mean of two neighbours, and of the fill at the edge.
  const half = projectiveTransform(tf, x, new Float32Array([1, 0, 0.5, 0, 1, 0, 0, 0]), 0);
  assert.deepEqual(Array.from(half.dataSync()), [1.5, 2.5, 1.5, 4.5, 5.5, 3]);
  tf.dispose([same, right, half]);
  assert.equal(tf.memory().numTensors, before, 'the op leaves no tensors behind');
  x.dispose();
});

test('one transform per image in a batch', () => {
  const x = tf.ones([2, 3, 3, 1]) as Tensor4D;
  const t = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 5, 0, 1, 0, 0, 0]);
  const out = projectiveTransform(tf, x, t, 0).arraySync();
  assert.equal(out[0][1][1][0], 1);
  assert.equal(out[1][1][1][0], 0, 'the second image is shifted off the canvas');
  x.dispose();
});

test('PRETEXT_NATIVE_IMAGE_TRANSFORM=0 turns the native path off', () => {
  assert.equal(projectiveTransformAvailable(tf), true);
  process.env.PRETEXT_NATIVE_IMAGE_TRANSFORM = '0';
  try {
    assert.equal(projectiveTransformAvailable(tf), false);
  } finally {
    delete process.env.PRETEXT_NATIVE_IMAGE_TRANSFORM;
  }
});
