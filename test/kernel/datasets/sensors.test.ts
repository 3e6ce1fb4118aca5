import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANOMALY_KINDS, SENSOR_CHANNELS, sensorSeries } from '../../../kernel/src/datasets/sensors';

const channel = (s: ReturnType<typeof sensorSeries>, c: number, from = 0, to = s.length) => {
  const out: number[] = [];
  for (let t = from; t < to; t++) {
    out.push(s.values[t * s.channels.length + c]);
  }
  return out;
};
const std = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length);
};

test('normal operation: three channels, finite, physically plausible, no anomaly labels set', () => {
  const s = sensorSeries({ steps: 3000, seed: 1 });
  assert.deepEqual(s.channels, [...SENSOR_CHANNELS]);
  assert.equal(s.values.length, 3000 * 3);
  assert.ok(s.values.every(Number.isFinite));
  assert.equal(s.events!.length, 0);
  assert.ok(s.anomaly!.every(v => v === 0));
  const temperature = channel(s, 1);
  assert.ok(Math.min(...temperature) > 30 && Math.max(...temperature) < 80);
  const current = channel(s, 2);
  assert.ok(Math.min(...current) > 1 && Math.max(...current) < 12);
});

test('the same seed gives the same series; another seed does not', () => {
  const a = sensorSeries({ steps: 500, anomalies: 2, seed: 3 });
  const b = sensorSeries({ steps: 500, anomalies: 2, seed: 3 });
  const c = sensorSeries({ steps: 500, anomalies: 2, seed: 4 });
  assert.deepEqual(a.values, b.values);
  assert.deepEqual(a.events, b.events);
  assert.notDeepEqual(a.values, c.values);
});

test('each anomaly kind changes the signal where it is labelled, and only there', () => {
  for (const kind of ANOMALY_KINDS) {
    const clean = sensorSeries({ steps: 1000, seed: 7 });
    const faulty = sensorSeries({ steps: 1000, anomalies: 1, kinds: [kind], seed: 7 });
    const [event] = faulty.events!;
    assert.equal(event.kind, kind);
    const c = SENSOR_CHANNELS.indexOf(event.channel as (typeof SENSOR_CHANNELS)[number]);
    const labelled = faulty.anomaly!.reduce((n, v) => n + v, 0);
    assert.equal(labelled, event.end - event.start, `${kind}: labels cover the event`);
    // Same seed: outside the event the two series agree.
    const before = channel(faulty, c, 0, event.start);
    assert.deepEqual(before, channel(clean, c, 0, event.start), `${kind}: untouched before`);
    const inside = channel(faulty, c, event.start, event.end);
    const normalInside = channel(clean, c, event.start, event.end);
    if (kind === 'stuck') {
      assert.equal(std(inside), 0, 'a stuck sensor reads a constant');
    }
    if (kind === 'drift') {
      assert.ok(inside.at(-1)! - normalInside.at(-1)! > 7, 'temperature ends 8-14 °C higher');
    }
    if (kind === 'spike') {
      const jump = Math.max(...inside.map((v, i) => Math.abs(v - normalInside[i])));
      assert.ok(jump > 5, `spike of ${jump}`);
    }
    if (kind === 'frequency') {
      // Zero crossings per step roughly double at 1.9x the frequency.
      const crossings = (xs: number[]) =>
        xs.slice(1).filter((v, i) => Math.sign(v) !== Math.sign(xs[i])).length;
      assert.ok(crossings(inside) > 1.5 * crossings(normalInside), 'faster vibration');
    }
  }
});

test('bad generator options get named errors', () => {
  assert.throws(() => sensorSeries({ steps: 10 }), /steps must be an integer of at least 100/);
  assert.throws(() => sensorSeries({ anomalies: -1 }), /anomalies must be a non-negative/);
  assert.throws(() => sensorSeries({ kinds: ['fire'] as never }), /kinds must be a non-empty list/);
  assert.throws(() => sensorSeries({ steps: 500, anomalies: 50 }), /do not fit apart/);
  assert.throws(() => sensorSeries({ anomalyLength: [50, 10] }), /anomalyLength/);
  assert.throws(() => sensorSeries({ step: 100 } as never), /Unknown option 'step'/);
});
