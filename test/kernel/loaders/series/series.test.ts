import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../../../../kernel/src/backend/tf';
import {
  fitStandardizer,
  seriesFromColumns,
  windowSeries
} from '../../../../kernel/src/loaders/series/series';
import { PretextError } from '../../../../kernel/src/util/errors';

const ramp = (n: number, scale = 1) => Array.from({ length: n }, (_, i) => i * scale);

test('windows are cut at the stride, row-major [N, length, channels], with their starts', () => {
  const series = seriesFromColumns('ramp', { a: ramp(10), b: ramp(10, 10) });
  const w = windowSeries(series, { length: 4, stride: 3 });
  assert.deepEqual(w.inputs.shape, [3, 4, 2]);
  assert.deepEqual(Array.from(w.starts), [0, 3, 6]);
  const x = w.inputs.arraySync();
  assert.deepEqual(x[1][0], [3, 30]);
  assert.deepEqual(x[2][3], [9, 90]);
  assert.equal(w.labels, undefined);
  assert.ok(w.report.ok);
  assert.equal(w.report.total, 3);
  w.inputs.dispose();
});

test('windows with NaN or Inf are skipped and reported, never passed on', () => {
  const a = ramp(12);
  a[5] = Number.NaN;
  const b = ramp(12);
  b[10] = Number.POSITIVE_INFINITY;
  const w = windowSeries(seriesFromColumns('gappy', { a, b }), { length: 3, stride: 3 });
  // Windows start at 0, 3, 6, 9: the ones at 3 (NaN at 5) and 9 (Inf at 10) go.
  assert.deepEqual(Array.from(w.starts), [0, 6]);
  assert.equal(w.report.count('skipped'), 2);
  assert.match(w.report.summary(), /NaN in 'a' \(first at step 5\)/);
  assert.match(w.report.summary(), /Inf in 'b' \(first at step 10\)/);
  assert.ok(w.inputs.dataSync().every(Number.isFinite));
  w.inputs.dispose();
});

test('every window bad: the error names the cause instead of returning an empty tensor', () => {
  const a = ramp(6).map(() => Number.NaN);
  assert.throws(
    () => windowSeries(seriesFromColumns('dead', { a }), { length: 3 }),
    /nothing usable was loaded.*NaN in 'a'/s
  );
});

test('window labels: 1 when the window overlaps a labelled anomalous step', () => {
  const base = seriesFromColumns('x', { a: ramp(12) });
  const anomaly = new Uint8Array(12);
  anomaly[7] = 1;
  const w = windowSeries({ ...base, anomaly }, { length: 4, stride: 2 });
  // Starts 0, 2, 4, 6, 8: windows [4..7] and [6..9] contain step 7.
  assert.deepEqual(Array.from(w.labels!), [0, 0, 1, 1, 0]);
  assert.deepEqual(w.classNames, ['normal', 'anomaly']);
  w.inputs.dispose();
});

test('minAnomalySteps: windows that barely touch an anomaly are skipped as ambiguous', () => {
  const base = seriesFromColumns('x', { a: ramp(20) });
  const anomaly = new Uint8Array(20);
  anomaly.fill(1, 6, 10); // steps 6..9
  anomaly[16] = 1; // a one-step glitch
  const w = windowSeries({ ...base, anomaly }, { length: 4, stride: 2, minAnomalySteps: 3 });
  // Starts 0..12 by 2: windows at 4 (steps 6, 7) and 8 (8, 9) clip the long anomaly by 2 steps
  // and are skipped; window 14 (14..17) holds the whole glitch, so it is an anomaly, while
  // window 16 (16..19) starts on it and cannot tell: skipped too.
  assert.deepEqual(Array.from(w.starts), [0, 2, 6, 10, 12, 14]);
  assert.deepEqual(Array.from(w.labels!), [0, 0, 1, 0, 0, 1]);
  assert.equal(w.report.count('skipped'), 3);
  assert.match(w.report.summary(), /fewer than 3 steps \(ambiguous\)/);
  assert.throws(() => windowSeries(base, { length: 4, minAnomalySteps: 5 }), /minAnomalySteps/);
  w.inputs.dispose();
});

test('bad window options and bad series get named errors', () => {
  const s = seriesFromColumns('x', { a: ramp(10) });
  assert.throws(() => windowSeries(s, { length: 1 }), /length must be an integer of at least 2/);
  assert.throws(() => windowSeries(s, { length: 20 }), /fewer than one window of 20/);
  assert.throws(() => windowSeries(s, { length: 4, stride: 0 }), /stride must be a positive/);
  assert.throws(() => windowSeries(s, { length: 4, stide: 2 } as never), /Unknown option 'stide'/);
  assert.throws(() => windowSeries(s, { length: 4, start: 8, end: 4 }), /start\/end/);
  assert.throws(() => windowSeries(null as never, { length: 4 }), PretextError);
  assert.throws(
    () => seriesFromColumns('x', { a: [1, 2, 3], b: [1, 2] }),
    /column 'b' has 2 values but 'a' has 3/
  );
});

test('the standardizer learns per-channel statistics from training windows only', () => {
  const train = tf.tensor3d(
    [
      [
        [1, 10, 5],
        [3, 30, 5]
      ],
      [
        [1, 10, 5],
        [3, 30, 5]
      ]
    ],
    [2, 2, 3]
  );
  const scaler = fitStandardizer(train);
  assert.deepEqual(Array.from(scaler.mean), [2, 20, 5]);
  assert.deepEqual(Array.from(scaler.std), [1, 10, 1]);
  assert.deepEqual(scaler.constantChannels, [2]);
  const test2 = tf.tensor3d([[[4, 0, 7]]], [1, 1, 3]);
  const out = scaler.transform(test2);
  assert.deepEqual(Array.from(out.dataSync()), [2, -2, 2]);
  const before = tf.memory().numTensors;
  const data = scaler.transform({ name: 'd', inputs: test2, extra: 1 });
  assert.equal(data.extra, 1);
  assert.equal(tf.memory().numTensors, before + 1, 'only the new inputs tensor is kept');
  assert.throws(() => scaler.transform(tf.zeros([1, 2, 4]) as never), /same channels/);
  assert.throws(() => fitStandardizer(tf.zeros([2, 3]) as never), /\[count, length, channels\]/);
  const nan = tf.tensor3d([[[Number.NaN]]], [1, 1, 1]);
  assert.throws(() => fitStandardizer(nan), /NaN or Inf/);
  tf.dispose([train, test2, out, data.inputs, nan]);
});
