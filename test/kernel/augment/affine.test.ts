import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Tensor4D } from '../../../kernel/src/backend/tf';
import { affineTransform, randomAffine } from '../../../kernel/src/augment/affine';
import { describeAugment } from '../../../kernel/src/augment/augment';
import { PretextError } from '../../../kernel/src/util/errors';

const images = (n = 4, shape: [number, number, number] = [9, 9, 1]) =>
  tf.randomUniform([n, ...shape], 0, 1, 'float32', 3) as Tensor4D;
const maxDiff = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const same = (n: number, p: { angle?: number; scale?: number; tx?: number; ty?: number }) =>
  Array.from({ length: n }, () => ({ angle: 0, scale: 1, tx: 0, ty: 0, ...p }));

test('identity parameters reproduce the input exactly, in both entry points', () => {
  const x = images(3, [7, 5, 2]);
  const out = affineTransform(x, same(3, {}));
  assert.equal(maxDiff(out, x), 0);
  const still = randomAffine({ degrees: 0, translate: 0, scale: [1, 1] })(x, 42);
  assert.equal(maxDiff(still, x), 0);
  tf.dispose([x, out, still]);
});

test('a 90° rotation is a transpose then a row flip; 180° is a flip of both axes', () => {
  const x = images(2, [6, 6, 3]);
  const quarter = affineTransform(x, same(2, { angle: 90 }));
  const expected = tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 1);
  assert.ok(maxDiff(quarter, expected) < 1e-5, 'counter-clockwise as viewed');
  const half = affineTransform(x, same(2, { angle: 180 }));
  const flipped = tf.reverse(x, [1, 2]);
  assert.ok(maxDiff(half, flipped) < 1e-5);
  tf.dispose([x, quarter, expected, half, flipped]);
});

test('an integer shift moves the content and fills the uncovered border', () => {
  const x = images(1, [5, 5, 1]);
  const right = affineTransform(x, [{ angle: 0, scale: 1, tx: 2, ty: 0 }], 0.5);
  const values = right.arraySync()[0];
  const source = x.arraySync()[0];
  for (let y = 0; y < 5; y++) {
    assert.equal(values[y][0][0], 0.5);
    assert.equal(values[y][1][0], 0.5);
    for (let c = 2; c < 5; c++) {
      assert.ok(Math.abs(values[y][c][0] - source[y][c - 2][0]) < 1e-6);
    }
  }
  tf.dispose([x, right]);
});

test('a zoom below 1 shrinks the content towards the centre, leaving a dark border', () => {
  const ones = tf.ones([1, 8, 8, 1]) as Tensor4D;
  const small = affineTransform(ones, [{ angle: 0, scale: 0.5, tx: 0, ty: 0 }]);
  const mass = small.sum().dataSync()[0];
  assert.ok(mass > 10 && mass < 24, `about a quarter of 64 pixels stays lit, got ${mass}`);
  assert.equal(small.arraySync()[0][0][0][0], 0);
  tf.dispose([ones, small]);
});

test('randomAffine is seeded per call, differs per sample, keeps shape and range, and does not leak', () => {
  const x = images(6, [12, 12, 1]);
  const aug = randomAffine();
  const before = tf.memory().numTensors;
  const a = aug(x, 7);
  const b = aug(x, 7);
  const c = aug(x, 8);
  assert.equal(tf.memory().numTensors, before + 3, 'only the three outputs stay allocated');
  assert.deepEqual(a.shape, x.shape);
  assert.equal(a.dtype, 'float32');
  assert.deepEqual(a.dataSync(), b.dataSync());
  assert.ok(maxDiff(a, c) > 0.01);
  const values = a.dataSync();
  assert.ok(values.every(v => v >= 0 && v <= 1));
  // Two samples of the same image get different transforms.
  const twins = tf.tidy(() => tf.concat([x.slice([0], [1]), x.slice([0], [1])]) as Tensor4D);
  const views = aug(twins, 3);
  assert.ok(tf.tidy(() => maxDiff(views.slice([0], [1]), views.slice([1], [1]))) > 0.01);
  tf.dispose([x, a, b, c, twins, views]);
  assert.equal(tf.memory().numTensors, before - 1);
});

test('randomAffine validates its options and describes itself', () => {
  assert.deepEqual(describeAugment(randomAffine()), {
    op: 'randomAffine',
    degrees: 15,
    translate: 0.1,
    scale: [0.7, 1],
    fill: 0
  });
  assert.throws(() => randomAffine({ degrees: -1 }), PretextError);
  assert.throws(() => randomAffine({ scale: [1, 0.5] }), PretextError);
  assert.throws(() => randomAffine({ translate: 2 }), PretextError);
  assert.throws(() => randomAffine({ rotate: 10 } as never), /Unknown option 'rotate'/);
  const x = images(2);
  assert.throws(() => affineTransform(x, same(1, {})), /one parameter set per image/);
  assert.throws(() => affineTransform(x, same(2, { scale: 0 })), PretextError);
  x.dispose();
});
