import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Tensor4D } from '../../../kernel/src/backend/tf';
import {
  affineTransform,
  affineTransformGather,
  randomAffine,
  type AffineParams
} from '../../../kernel/src/augment/affine';
import { projectiveTransformAvailable } from '../../../kernel/src/backend/native/image-transform';
import { rng } from '../../../kernel/src/util/random';

const maxDiff = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** randomAffine's own draws (same order), widened to reach well outside the image. */
function params(n: number, w: number, h: number, seed: number, reach = 1): AffineParams[] {
  const random = rng(seed);
  return Array.from({ length: n }, () => ({
    angle: (2 * random() - 1) * 180,
    scale: 0.3 + 1.2 * random(),
    tx: (2 * random() - 1) * reach * w,
    ty: (2 * random() - 1) * reach * h
  }));
}

test('the native transform is what affineTransform runs on this TF build', () => {
  assert.equal(projectiveTransformAvailable(tf), true);
});

test('native and gather paths give the same views: shapes, channels, fills, far shifts', () => {
  for (const [shape, fill, reach] of [
    [[28, 28, 1], 0, 0.2],
    [[7, 5, 3], 0.5, 1.5],
    [[1, 9, 2], 1, 0.5],
    [[6, 6, 1], 0.25, 3]
  ] as const) {
    const x = tf.randomUniform([12, ...shape], 0, 1, 'float32', 5) as Tensor4D;
    const p = params(12, shape[1], shape[0], shape[0] * 10 + shape[1], reach);
    const native = affineTransform(x, p, fill);
    const gathered = affineTransformGather(x, p, fill);
    assert.deepEqual(native.shape, x.shape);
    assert.equal(native.dtype, 'float32');
    const diff = maxDiff(native, gathered);
    assert.ok(diff < 2e-5, `shape ${shape.join('x')} fill ${fill}: max difference ${diff}`);
    tf.dispose([x, native, gathered]);
  }
});

test('randomAffine gives the views of the gather path for the same seed, without leaks', () => {
  const x = tf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 9) as Tensor4D;
  const before = tf.memory().numTensors;
  const aug = randomAffine();
  const view = aug(x, 1234);
  // randomAffine's draws, replayed through the gather path.
  const random = rng(1234);
  const p = Array.from({ length: 32 }, () => ({
    angle: (2 * random() - 1) * 15,
    scale: 0.7 + 0.3 * random(),
    tx: (2 * random() - 1) * 0.1 * 28,
    ty: (2 * random() - 1) * 0.1 * 28
  }));
  const reference = affineTransformGather(x, p);
  assert.ok(maxDiff(view, reference) < 2e-5);
  tf.dispose([view, reference]);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});
