import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor3D } from '../../../kernel/src/backend/tf';
import {
  composeSeries,
  describeSeriesAugment,
  jitter,
  permuteSegments,
  scaling,
  seriesAugment,
  timeCrop
} from '../../../kernel/src/augment/series';
import { PretextError } from '../../../kernel/src/util/errors';

/** [b, steps, c] windows whose value at step t of channel j is t + 100 * j. */
function ramps(b: number, steps: number, c: number): Tensor3D {
  const data = new Float32Array(b * steps * c);
  for (let i = 0; i < b; i++) {
    for (let t = 0; t < steps; t++) {
      for (let j = 0; j < c; j++) {
        data[(i * steps + t) * c + j] = t + 100 * j;
      }
    }
  }
  return tf.tensor3d(data, [b, steps, c]);
}

test('jitter adds zero-mean noise of the asked spread, only to selected windows', () => {
  const x = tf.zeros([64, 50, 2]) as Tensor3D;
  const y = jitter({ std: 0.5 })(x, 1);
  const { mean, variance } = tf.moments(y);
  assert.ok(Math.abs(mean.dataSync()[0]) < 0.02);
  assert.ok(Math.abs(Math.sqrt(variance.dataSync()[0]) - 0.5) < 0.02);
  const none = jitter({ std: 0.5, p: 0 })(x, 1);
  assert.equal(tf.max(tf.abs(none)).dataSync()[0], 0);
  tf.dispose([x, y, mean, variance, none]);
});

test('scaling multiplies each channel of each window by one factor near 1', () => {
  const x = tf.ones([200, 10, 3]) as Tensor3D;
  const y = scaling({ sigma: 0.2 })(x, 2);
  const v = y.arraySync();
  // Constant over time within a window and channel; factors spread with sigma 0.2.
  assert.ok(v.every(w => w.every(step => step.every((f, j) => f === w[0][j]))));
  const factors = v.flatMap(w => w[0]);
  const m = factors.reduce((a, b) => a + b, 0) / factors.length;
  const s = Math.sqrt(factors.reduce((a, b) => a + (b - m) ** 2, 0) / factors.length);
  assert.ok(Math.abs(m - 1) < 0.03 && Math.abs(s - 0.2) < 0.03, `mean ${m}, std ${s}`);
  tf.dispose([x, y]);
});

test('timeCrop keeps a contiguous part stretched to full length; scale [1, 1] is the identity', () => {
  const x = ramps(8, 20, 2);
  const same = timeCrop({ scale: [1, 1] })(x, 3);
  assert.ok(tf.max(tf.abs(tf.sub(same, x))).dataSync()[0] < 1e-5);
  const y = timeCrop({ scale: [0.5, 0.5] })(x, 3);
  assert.deepEqual(y.shape, [8, 20, 2]);
  for (const w of y.arraySync()) {
    const ch0 = w.map(s => s[0]);
    // A ramp stays a ramp: increasing, spanning 9.5 steps of the original over 19 output steps.
    assert.ok(ch0.every((v, t) => t === 0 || v > ch0[t - 1]));
    assert.ok(Math.abs(ch0[19] - ch0[0] - 9.5) < 1e-4, `span ${ch0[19] - ch0[0]}`);
    assert.ok(ch0[0] >= 0 && ch0[19] <= 19 + 1e-5);
    assert.ok(
      w.every(s => Math.abs(s[1] - s[0] - 100) < 1e-3),
      'channels move together'
    );
  }
  tf.dispose([x, same, y]);
});

test('permuteSegments reorders whole segments and keeps every reading', () => {
  const x = ramps(16, 24, 1);
  const y = permuteSegments({ segments: 4, p: 1 })(x, 4);
  let changed = 0;
  for (const w of y.arraySync()) {
    const v = w.map(s => s[0]);
    assert.deepEqual(
      [...v].sort((a, b) => a - b),
      Array.from({ length: 24 }, (_, t) => t)
    );
    // Within a segment the ramp still climbs by 1: at most 3 breaks for 4 segments.
    const breaks = v.slice(1).filter((u, t) => u !== v[t] + 1).length;
    assert.ok(breaks <= 3);
    if (breaks > 0) {
      changed++;
    }
  }
  assert.ok(changed >= 10, `${changed} of 16 windows reordered`);
  const kept = permuteSegments({ p: 0 })(x, 4);
  assert.deepEqual(kept.arraySync(), x.arraySync());
  tf.dispose([x, y, kept]);
});

test('the same seed gives the same views, another seed different ones; no tensors leak', () => {
  const x = ramps(4, 32, 3);
  const augment = seriesAugment({ crop: true, permute: true });
  const before = tf.memory().numTensors;
  const a = augment(x, 7);
  const b = augment(x, 7);
  const c = augment(x, 8);
  assert.deepEqual(a.dataSync(), b.dataSync());
  assert.notDeepEqual(a.dataSync(), c.dataSync());
  tf.dispose([a, b, c]);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('composeSeries chains ops with their own seeds and describes them', () => {
  const x = ramps(2, 16, 1);
  const composed = composeSeries(timeCrop({ scale: [0.8, 1] }), jitter({ std: 0.1 }));
  const alone = timeCrop({ scale: [0.8, 1] });
  const spec = describeSeriesAugment(composed);
  assert.deepEqual(spec, {
    op: 'composeSeries',
    ops: [
      { op: 'timeCrop', scale: [0.8, 1] },
      { op: 'jitter', std: 0.1, p: 1 }
    ]
  });
  assert.deepEqual(describeSeriesAugment(seriesAugment()).stages, [
    { op: 'scaling', sigma: 0.05, p: 1 },
    { op: 'jitter', std: 0.02, p: 1 }
  ]);
  const y = composeSeries()(x, 1);
  assert.notEqual(y, x, 'an empty chain still returns a new tensor');
  assert.deepEqual(y.dataSync(), x.dataSync());
  const z = composed(x, 5);
  assert.deepEqual(z.shape, x.shape);
  assert.ok(alone);
  tf.dispose([x, y, z]);
});

test('bad inputs and options get named errors before any tensor work', () => {
  const op = jitter();
  assert.throws(
    () => op(tf.zeros([4, 5]) as never, 0),
    /\[batch, steps, channels\].*\n.*expandDims\(-1\)/
  );
  assert.throws(() => op(tf.zeros([0, 5, 1]) as never, 0), /empty batch/);
  assert.throws(() => op(tf.zeros([1, 5, 1], 'int32') as never, 0), /float32/);
  assert.throws(() => op(tf.zeros([1, 5, 1]) as never, Number.NaN), /finite numeric seed/);
  const gone = tf.zeros([1, 5, 1]) as Tensor3D;
  gone.dispose();
  assert.throws(() => op(gone, 0), /already been disposed/);
  assert.throws(() => op('x' as never, 0), PretextError);
  assert.throws(() => jitter({ std: -1 }), /std must be a number/);
  assert.throws(() => scaling({ p: 2 }), /p must be a number in \[0, 1\]/);
  assert.throws(() => timeCrop({ scale: [0, 1] }), /0 < min <= max <= 1/);
  assert.throws(() => timeCrop({ scale: [0.9, 0.5] }), /0 < min <= max <= 1/);
  assert.throws(
    () => permuteSegments({ segments: 1 }),
    /segments must be an integer of at least 2/
  );
  assert.throws(() => seriesAugment({ flip: true } as never), /Unknown option 'flip'/);
  assert.throws(() => seriesAugment({ crop: 3 } as never), /true, false or an options object/);
  assert.throws(() => composeSeries(null as never), /argument 1 is null/);
});
