import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import type { ImageAugment } from '../../../kernel/src/augment/augment';
import { cutout, horizontalFlip, randomResizedCrop } from '../../../kernel/src/augment/geometric';
import { colorJitter, gaussianBlur, gaussianNoise } from '../../../kernel/src/augment/photometric';
import { PretextError } from '../../../kernel/src/util/errors';

const random = (shape: [number, number, number, number], seed = 1) =>
  tf.randomUniform(shape, 0, 1, 'float32', seed) as Tensor4D;
const constant = (shape: [number, number, number, number], v: number) =>
  tf.fill(shape, v) as Tensor4D;

/** Runs an op, returns its values, disposes the output. */
function run(op: ImageAugment, x: Tensor4D, seed: number): Float32Array {
  const out = op(x, seed);
  const values = out.dataSync() as Float32Array;
  out.dispose();
  return values;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    m = Math.max(m, Math.abs(a[i] - b[i]));
  }
  return m;
}

const ops: [string, ImageAugment][] = [
  ['randomResizedCrop', randomResizedCrop()],
  ['horizontalFlip', horizontalFlip()],
  ['colorJitter', colorJitter({ saturation: 0.5 })],
  ['gaussianBlur', gaussianBlur({ p: 1 })],
  ['gaussianNoise', gaussianNoise({ std: [0.05, 0.2] })],
  ['cutout', cutout({ p: 1 })]
];

for (const [name, op] of ops) {
  test(`${name}: shape, dtype, range, seeding and no leaked tensors`, () => {
    for (const shape of [
      [16, 12, 12, 1],
      [4, 10, 8, 3]
    ] as [number, number, number, number][]) {
      const x = random(shape);
      const before = tf.memory().numTensors;
      const out = op(x, 7);
      assert.deepEqual(out.shape, shape);
      assert.equal(out.dtype, 'float32');
      assert.notEqual(out, x, 'must return a new tensor');
      const values = out.dataSync();
      assert.ok(
        values.every(v => v >= 0 && v <= 1),
        'values within [0, 1]'
      );
      out.dispose();
      assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
      const a = run(op, x, 7);
      assert.equal(maxAbsDiff(a, values), 0, 'same seed, same output');
      assert.ok(maxAbsDiff(run(op, x, 8), a) > 1e-3, 'another seed, another output');
      assert.ok(maxAbsDiff(a, x.dataSync()) > 1e-3, 'the op changes the images');
      assert.equal(x.isDisposed, false);
      x.dispose();
    }
  });
}

test('randomResizedCrop with scale [1, 1] and ratio [1, 1] is the identity', () => {
  const x = random([3, 9, 9, 2]);
  const out = run(randomResizedCrop({ scale: [1, 1], ratio: [1, 1] }), x, 3);
  assert.ok(maxAbsDiff(out, x.dataSync()) < 1e-5);
  x.dispose();
});

test('randomResizedCrop zooms in: a small crop of a left/right split image is mostly one side', () => {
  // Left half 0, right half 1. Crops of 4% of the area land mostly in one half, so many output
  // pixels are near 0 or 1 and few pixels are mixed; whole-image crops keep the 50/50 split.
  const half = tf.tidy(() =>
    tf.tile(tf.concat([tf.zeros([1, 20, 10, 1]), tf.ones([1, 20, 10, 1])], 2), [32, 1, 1, 1])
  ) as Tensor4D;
  const small = run(randomResizedCrop({ scale: [0.04, 0.04], ratio: [1, 1] }), half, 1);
  let uniformCrops = 0;
  for (let i = 0; i < 32; i++) {
    const crop = small.subarray(i * 400, (i + 1) * 400);
    const mean = crop.reduce((s, v) => s + v, 0) / 400;
    if (mean < 0.05 || mean > 0.95) {
      uniformCrops++;
    }
  }
  assert.ok(
    uniformCrops >= 16,
    `expected most small crops inside one half, got ${uniformCrops}/32`
  );
  const full = run(randomResizedCrop({ scale: [1, 1], ratio: [1, 1] }), half, 1);
  assert.ok(Math.abs(full.reduce((s, v) => s + v, 0) / full.length - 0.5) < 1e-5);
  half.dispose();
});

test('horizontalFlip with p = 1 mirrors every image, with p = 0 none', () => {
  const x = random([4, 5, 6, 1]);
  const mirrored = tf.reverse(x, 2);
  assert.equal(maxAbsDiff(run(horizontalFlip({ p: 1 }), x, 1), mirrored.dataSync()), 0);
  assert.equal(maxAbsDiff(run(horizontalFlip({ p: 0 }), x, 1), x.dataSync()), 0);
  tf.dispose([x, mirrored]);
});

test('colorJitter: zero strength is the identity; brightness scales a flat image per sample', () => {
  const x = random([4, 6, 6, 3]);
  assert.ok(
    maxAbsDiff(run(colorJitter({ brightness: 0, contrast: 0 }), x, 1), x.dataSync()) < 1e-6
  );
  const flat = constant([32, 4, 4, 1], 0.5);
  const out = run(colorJitter({ brightness: 0.4, contrast: 0, p: 1 }), flat, 2);
  const levels = new Set<number>();
  for (let i = 0; i < 32; i++) {
    const img = out.subarray(i * 16, (i + 1) * 16);
    assert.ok(
      img.every(v => v === img[0]),
      'one factor per image'
    );
    assert.ok(
      img[0] >= 0.3 - 1e-6 && img[0] <= 0.7 + 1e-6,
      `brightness ${img[0]} outside 0.5 * [0.6, 1.4]`
    );
    levels.add(img[0]);
  }
  assert.ok(levels.size > 20, 'factors differ between samples');
  tf.dispose([x, flat]);
});

test('gaussianBlur keeps flat images flat, smooths noise, and p = 0 is the identity', () => {
  const flat = constant([2, 8, 8, 1], 0.3);
  assert.ok(
    maxAbsDiff(run(gaussianBlur({ sigma: [1, 2], p: 1 }), flat, 1), flat.dataSync()) < 1e-5
  );
  const noise = random([8, 16, 16, 1]);
  const variance = (v: ArrayLike<number>) => {
    const m = Array.from(v).reduce((s, x) => s + x, 0) / v.length;
    return Array.from(v).reduce((s, x) => s + (x - m) ** 2, 0) / v.length;
  };
  const blurred = run(gaussianBlur({ sigma: [1.5, 1.5], p: 1 }), noise, 1);
  assert.ok(variance(blurred) < variance(noise.dataSync()) / 3, 'blur removes most pixel noise');
  assert.equal(maxAbsDiff(run(gaussianBlur({ p: 0 }), noise, 1), noise.dataSync()), 0);
  // Per-sample sigma: with a wide sigma range, samples are smoothed by different amounts.
  const perSample = run(gaussianBlur({ sigma: [0.2, 3], p: 1, kernelSize: 9 }), noise, 4);
  const vars = Array.from({ length: 8 }, (_, i) =>
    variance(perSample.subarray(i * 256, (i + 1) * 256))
  );
  assert.ok(Math.max(...vars) > 2 * Math.min(...vars), `variances ${vars}`);
  tf.dispose([flat, noise]);
});

test('gaussianNoise adds noise of the requested std; std 0 is the identity', () => {
  const flat = constant([8, 16, 16, 1], 0.5);
  const out = run(gaussianNoise({ std: 0.1 }), flat, 1);
  const sd = Math.sqrt(out.reduce((s, v) => s + (v - 0.5) ** 2, 0) / out.length);
  assert.ok(Math.abs(sd - 0.1) < 0.01, `std ${sd}`);
  assert.equal(maxAbsDiff(run(gaussianNoise({ std: 0 }), flat, 1), flat.dataSync()), 0);
  flat.dispose();
});

test('cutout erases the expected area fraction', () => {
  const ones = constant([64, 20, 20, 1], 1);
  const zeroFraction = (v: Float32Array) => v.filter(x => x === 0).length / v.length;
  // size 0.5 → a 10x10 hole in a 20x20 image: exactly a quarter of every image.
  assert.equal(zeroFraction(run(cutout({ size: 0.5, p: 1 }), ones, 1)), 0.25);
  // p = 0.5 → about half the images get a hole: expected fraction 0.125.
  const f = zeroFraction(run(cutout({ size: 0.5, p: 0.5 }), ones, 2));
  assert.ok(f > 0.06 && f < 0.19, `erased fraction ${f}`);
  const filled = run(cutout({ size: 0.5, p: 1, value: 0.5 }), ones, 1);
  assert.equal(filled.filter(x => x === 0.5).length / filled.length, 0.25);
  ones.dispose();
});

test('bad options and bad images raise PretextError before any tensor work', () => {
  const bad: (() => unknown)[] = [
    () => randomResizedCrop({ scale: [0, 1] }),
    () => randomResizedCrop({ scale: [0.9, 0.5] }),
    () => randomResizedCrop({ scale: [0.5, 1.5] }),
    () => randomResizedCrop({ ratio: [-1, 1] }),
    () => randomResizedCrop({ scales: [0.5, 1] } as never),
    () => horizontalFlip({ p: 1.5 }),
    () => horizontalFlip({ prob: 0.5 } as never),
    () => colorJitter({ brightness: -0.1 }),
    () => colorJitter({ hue: 0.1 } as never),
    () => gaussianBlur({ kernelSize: 4 }),
    () => gaussianBlur({ sigma: [0, 1] }),
    () => gaussianNoise({ std: -0.1 }),
    () => gaussianNoise({ std: [0.2, 0.1] }),
    () => cutout({ size: 0 }),
    () => cutout({ size: 0.3, value: 2 })
  ];
  for (const make of bad) {
    assert.throws(make, PretextError, make.toString());
  }
  assert.throws(() => randomResizedCrop({ scales: [0.5, 1] } as never), /Unknown option 'scales'/);

  const rank3 = tf.zeros([8, 8, 1]);
  const ints = tf.zeros([2, 8, 8, 1], 'int32');
  const ok = random([2, 8, 8, 1]);
  const before = tf.memory().numTensors;
  for (const [name, op] of ops) {
    assert.throws(
      () => op(rank3 as unknown as Tensor4D, 1),
      /batch, height, width, channels/,
      name
    );
    assert.throws(() => op(ints as Tensor4D, 1), /float32/, name);
    assert.throws(() => op(ok, NaN), PretextError, name);
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([rank3, ints, ok]);
});
