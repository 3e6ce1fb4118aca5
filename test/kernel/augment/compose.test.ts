import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import { describeAugment, type ImageAugment } from '../../../kernel/src/augment/augment';
import { compose, simclrAugment } from '../../../kernel/src/augment/compose';
import { horizontalFlip } from '../../../kernel/src/augment/geometric';
import { gaussianNoise } from '../../../kernel/src/augment/photometric';
import { PretextError } from '../../../kernel/src/util/errors';
import { deriveSeed } from '../../../kernel/src/util/random';

const images = (n = 8, shape: [number, number, number] = [28, 28, 1]) =>
  tf.randomUniform([n, ...shape], 0, 1, 'float32', 5) as Tensor4D;

test('compose applies ops in order, each with its own derived seed, and frees intermediates', () => {
  const x = images(6, [8, 8, 1]);
  const flip = horizontalFlip({ p: 0.5 });
  const noise = gaussianNoise({ std: 0.1 });
  const both = compose(flip, noise);
  const before = tf.memory().numTensors;
  const out = both(x, 11);
  assert.equal(tf.memory().numTensors, before + 1, 'only the output stays allocated');
  const manual = tf.tidy(() => noise(flip(x, deriveSeed(11, 0)), deriveSeed(11, 1)));
  assert.deepEqual(out.dataSync(), manual.dataSync());
  tf.dispose([out, manual, x]);
});

test('compose() with no ops returns a copy, never the input itself', () => {
  const x = images(2, [4, 4, 1]);
  const out = compose()(x, 1);
  assert.notEqual(out, x);
  assert.deepEqual(out.dataSync(), x.dataSync());
  out.dispose();
  assert.equal(x.isDisposed, false);
  x.dispose();
  assert.throws(() => compose(42 as unknown as ImageAugment), PretextError);
});

test('simclrAugment makes distinct, seeded, in-range views without leaks', () => {
  const x = images(16);
  const aug = simclrAugment();
  const before = tf.memory().numTensors;
  const v1 = aug(x, deriveSeed(3, 1));
  const v2 = aug(x, deriveSeed(3, 2));
  assert.deepEqual(v1.shape, x.shape);
  const a = v1.dataSync();
  const b = v2.dataSync();
  assert.ok(a.every(v => v >= 0 && v <= 1));
  let diff = 0;
  let drift = 0;
  const src = x.dataSync();
  for (let i = 0; i < a.length; i++) {
    diff += Math.abs(a[i] - b[i]);
    drift += Math.abs(a[i] - src[i]);
  }
  assert.ok(diff / a.length > 0.01, 'two views differ');
  assert.ok(drift / a.length < 0.5, 'views stay close to the source');
  const again = aug(x, deriveSeed(3, 1));
  assert.deepEqual(again.dataSync(), a);
  tf.dispose([v1, v2, again]);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('simclrAugment describes its stages and lets each be switched or tuned', () => {
  const ops = (aug: ImageAugment) =>
    (describeAugment(aug).stages as { op: string }[]).map(s => s.op);
  assert.deepEqual(ops(simclrAugment({ preset: 'classic' })), [
    'randomResizedCrop',
    'colorJitter',
    'gaussianBlur',
    'gaussianNoise'
  ]);
  assert.deepEqual(ops(simclrAugment({ preset: 'geometric' })), ['randomAffine', 'gaussianNoise']);
  assert.deepEqual(
    ops(simclrAugment()),
    ['randomAffine', 'gaussianNoise'],
    'auto: grayscale stages'
  );
  assert.deepEqual(
    ops(simclrAugment({ preset: 'classic', flip: true, noise: false, cutout: { size: 0.3 } })),
    ['randomResizedCrop', 'horizontalFlip', 'colorJitter', 'gaussianBlur', 'cutout']
  );
  assert.deepEqual(ops(simclrAugment({ preset: 'geometric', blur: true, affine: false })), [
    'gaussianBlur',
    'gaussianNoise'
  ]);
  const spec = describeAugment(simclrAugment({ preset: 'classic', crop: { scale: [0.2, 1] } }));
  const crop = (spec.stages as Record<string, unknown>[])[0];
  assert.deepEqual(crop.scale, [0.2, 1]);
  assert.deepEqual(crop.ratio, [3 / 4, 4 / 3], 'unset settings keep their defaults');
  // A sigma without a kernel size gets a kernel sized for that sigma.
  const blur = (
    describeAugment(simclrAugment({ preset: 'classic', blur: { sigma: [1, 3] } })).stages as Record<
      string,
      unknown
    >[]
  )[2];
  assert.equal(blur.kernelSize, 13);
  assert.equal(
    JSON.stringify(describeAugment(simclrAugment())).includes('"op":"simclrAugment"'),
    true
  );
  assert.equal(describeAugment((x: Tensor4D) => x.clone()).op, 'custom');
  assert.throws(() => simclrAugment({ blurr: {} } as never), /Unknown option 'blurr'/);
  assert.throws(() => simclrAugment({ crop: { scale: [0, 1] } }), PretextError);
  assert.throws(() => simclrAugment({ crop: 3 as never }), PretextError);
  assert.throws(() => simclrAugment({ preset: 'strong' as never }), /unknown preset 'strong'/);
});

test("simclrAugment's 'auto' preset picks geometric views for grayscale and classic for colour", () => {
  const gray = images(4, [12, 12, 1]);
  const colour = images(4, [12, 12, 3]);
  const auto = simclrAugment();
  const pairs: [Tensor4D, ImageAugment][] = [
    [gray, simclrAugment({ preset: 'geometric' })],
    [colour, simclrAugment({ preset: 'classic' })]
  ];
  for (const [x, expected] of pairs) {
    const a = auto(x, 9);
    const b = expected(x, 9);
    assert.deepEqual(a.dataSync(), b.dataSync());
    tf.dispose([a, b]);
  }
  const spec = describeAugment(auto);
  assert.equal(spec.preset, 'auto');
  assert.equal((spec.colorStages as { op: string }[])[0].op, 'randomResizedCrop');
  tf.dispose([gray, colour]);
});
