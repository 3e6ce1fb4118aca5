/**
 * A seeded simulator of a motor-driven machine's sensors, for equipment-failure detection
 * where real failure data is rare and private. It is documented so the numbers it gives can be
 * read for what they are: a controlled benchmark, not field data.
 *
 * Channels (one reading per step, think one per second):
 * - vibration: the shaft's rotation, a sine plus its second harmonic whose amplitude grows
 *   with load and whose period is set by the operating regime, plus sensor noise;
 * - temperature: a first-order lag (time constant 150 steps) towards ambient + load heating,
 *   with a slow ambient cycle; it trails load changes, so a hot machine at low load is odd;
 * - current: proportional to load, with a ripple at the shaft frequency.
 * The machine switches between three regimes — idle, normal and high load (load 0.1 / 0.6 /
 * 1.0, shaft period 16 / 11 / 8 steps) — every 150 to 600 steps; load moves towards each new
 * regime smoothly (time constant 20 steps). Regime changes are normal operation, not anomalies.
 *
 * Injected anomalies (labelled per step, for AUROC only):
 * - spike: a few single-step readings of 6-10x the channel's noise-free spread (electrical
 *   glitches, impacts) on vibration or current;
 * - drift: temperature creeps up linearly by 8-14 °C over the event (failing cooling, friction);
 * - stuck: vibration or current freezes at its value at the start (a dead sensor or cable);
 * - frequency: the vibration runs at 1.9x the regime's frequency with 1.4x the amplitude
 *   (a bearing or gear fault).
 */
import { check, checkOptionNames } from '../util/errors';
import { rng } from '../util/random';
import type { AnomalyEvent, Series } from '../loaders/series/series';

export const SENSOR_CHANNELS = ['vibration', 'temperature', 'current'] as const;
export const ANOMALY_KINDS = ['spike', 'drift', 'stuck', 'frequency'] as const;
export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

export interface SensorOptions {
  /** Steps to simulate (default 8,000). */
  steps?: number;
  /** Anomalies to inject, spread evenly over the series in random places (default 0). */
  anomalies?: number;
  /** Kinds to draw from, in turn (default all four). */
  kinds?: AnomalyKind[];
  /** Event length in steps, drawn per event from [min, max] (default [40, 120]). */
  anomalyLength?: [number, number];
  seed?: number;
  name?: string;
}

const REGIMES = [
  { load: 0.1, period: 16 },
  { load: 0.6, period: 11 },
  { load: 1.0, period: 8 }
];

/** Standard normal draws from a seeded uniform source (Box-Muller). */
function gaussian(random: () => number): () => number {
  return () => {
    const u = Math.max(random(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
}

/** Simulates the machine; see the module comment for the physics and the anomaly kinds. */
export function sensorSeries(options: SensorOptions = {}): Series {
  const what = 'sensorSeries';
  checkOptionNames(what, options, ['steps', 'anomalies', 'kinds', 'anomalyLength', 'seed', 'name']);
  const {
    steps = 8000,
    anomalies = 0,
    kinds = [...ANOMALY_KINDS],
    anomalyLength = [40, 120],
    seed = 0
  } = options;
  check(
    Number.isInteger(steps) && steps >= 100,
    `${what}: steps must be an integer of at least 100, got ${String(steps)}.`,
    'Pass e.g. steps: 8000.'
  );
  check(
    Number.isInteger(anomalies) && anomalies >= 0,
    `${what}: anomalies must be a non-negative integer, got ${String(anomalies)}.`,
    'Pass e.g. anomalies: 20, or 0 for normal operation only.'
  );
  check(
    Array.isArray(kinds) && kinds.length > 0 && kinds.every(k => ANOMALY_KINDS.includes(k)),
    `${what}: kinds must be a non-empty list from ${ANOMALY_KINDS.join(', ')}, got ${JSON.stringify(kinds)}.`,
    "Pass e.g. kinds: ['spike', 'drift']."
  );
  check(
    Array.isArray(anomalyLength) &&
      anomalyLength.length === 2 &&
      anomalyLength.every(v => Number.isInteger(v) && v >= 1) &&
      anomalyLength[0] <= anomalyLength[1],
    `${what}: anomalyLength must be [min, max] integers with 1 <= min <= max, got ${JSON.stringify(anomalyLength)}.`,
    'Pass e.g. anomalyLength: [40, 120].'
  );
  const slot = anomalies > 0 ? Math.floor(steps / anomalies) : steps;
  check(
    anomalies === 0 || slot >= anomalyLength[1] + 40,
    `${what}: ${anomalies} anomalies of up to ${anomalyLength[1]} steps do not fit apart in ${steps} steps.`,
    `Use at most ${Math.floor(steps / (anomalyLength[1] + 40))} anomalies, or more steps.`
  );
  const random = rng(seed);
  const normal = gaussian(random);

  // Clean operation.
  const c = SENSOR_CHANNELS.length;
  const values = new Float32Array(steps * c);
  const period = new Float32Array(steps);
  const loadAt = new Float32Array(steps);
  let regime = 1;
  let untilSwitch = 150 + Math.floor(random() * 450);
  let load = REGIMES[regime].load;
  let per = REGIMES[regime].period;
  let phase = random() * 2 * Math.PI;
  let temperature = 40 + 30 * load;
  for (let t = 0; t < steps; t++) {
    if (--untilSwitch <= 0) {
      regime = (regime + 1 + Math.floor(random() * 2)) % REGIMES.length;
      untilSwitch = 150 + Math.floor(random() * 450);
    }
    load += (REGIMES[regime].load - load) / 20;
    per += (REGIMES[regime].period - per) / 20;
    period[t] = per;
    loadAt[t] = load;
    phase += (2 * Math.PI) / per;
    const amplitude = 0.3 + 0.7 * load;
    const ambient = 20 + 3 * Math.sin((2 * Math.PI * t) / 1440);
    temperature += (ambient + 20 + 30 * load - temperature) / 150 + 0.05 * normal();
    values[t * c] =
      amplitude * (Math.sin(phase) + 0.25 * Math.sin(2 * phase + 0.5)) + 0.08 * normal();
    values[t * c + 1] = temperature + 0.1 * normal();
    values[t * c + 2] = 2 + 8 * load + 0.3 * load * Math.sin(phase) + 0.15 * normal();
  }

  // Anomalies: one per slot, at a random place inside it, kinds in turn.
  const anomaly = new Uint8Array(steps);
  const events: AnomalyEvent[] = [];
  for (let i = 0; i < anomalies; i++) {
    const kind = kinds[i % kinds.length];
    const span =
      kind === 'spike'
        ? Math.max(1, Math.min(anomalyLength[0], 12))
        : anomalyLength[0] + Math.floor(random() * (anomalyLength[1] - anomalyLength[0] + 1));
    const start = i * slot + 20 + Math.floor(random() * (slot - span - 40));
    const end = start + span;
    // Drift is thermal, frequency mechanical; spikes and stuck readings hit vibration or current.
    const channel = kind === 'drift' ? 1 : kind === 'frequency' ? 0 : random() < 0.5 ? 0 : 2;
    if (kind === 'spike') {
      const scale = channel === 0 ? 1.0 : 3.0;
      const count = Math.min(span, 2 + Math.floor(random() * 3));
      for (let k = 0; k < count; k++) {
        const t = start + Math.floor(random() * span);
        const sign = random() < 0.5 ? -1 : 1;
        values[t * c + channel] += sign * scale * (6 + 4 * random());
      }
    } else if (kind === 'drift') {
      const size = 8 + 6 * random();
      for (let t = start; t < end; t++) {
        values[t * c + 1] += (size * (t - start + 1)) / span;
      }
    } else if (kind === 'stuck') {
      const frozen = values[start * c + channel];
      for (let t = start; t < end; t++) {
        values[t * c + channel] = frozen;
      }
    } else {
      let faultPhase = 0;
      for (let t = start; t < end; t++) {
        faultPhase += (2 * Math.PI * 1.9) / period[t];
        const amplitude = 1.4 * (0.3 + 0.7 * loadAt[t]);
        values[t * c] =
          amplitude * (Math.sin(faultPhase) + 0.25 * Math.sin(2 * faultPhase + 0.5)) +
          0.08 * normal();
      }
    }
    anomaly.fill(1, start, end);
    events.push({ kind, channel: SENSOR_CHANNELS[channel], start, end });
  }
  return {
    name: options.name ?? `machine sensors (seed ${seed})`,
    values,
    length: steps,
    channels: [...SENSOR_CHANNELS],
    anomaly,
    events
  };
}
