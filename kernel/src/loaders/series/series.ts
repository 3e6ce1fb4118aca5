/**
 * Long multichannel time series and the fixed-length windows models train on. A series is a
 * row-major [steps, channels] Float32Array with channel names; `windowSeries` cuts it into
 * [N, length, channels] windows, skipping (and reporting) windows that contain NaN or Inf, and
 * `fitStandardizer` learns per-channel mean and spread from training windows only, so test data
 * is scaled with statistics it did not contribute to.
 */
import { tf, type Tensor3D } from '../../backend/tf';
import { check, checkOptionNames } from '../../util/errors';
import { DataReport } from '../../data/report';

/** One labelled anomaly in a series: which kind, on which channel, over steps [start, end). */
export interface AnomalyEvent {
  kind: string;
  channel: string;
  start: number;
  end: number;
}

/** A multichannel series: `values[t * channels.length + c]` is channel c at step t. */
export interface Series {
  readonly name: string;
  readonly values: Float32Array;
  readonly length: number;
  readonly channels: readonly string[];
  /** 1 where a step is part of a known anomaly (for evaluation only; never used to train). */
  readonly anomaly?: Uint8Array;
  readonly events?: readonly AnomalyEvent[];
}

/** Windows cut from a series: a dataset of [N, length, channels] inputs. */
export interface SeriesWindows {
  readonly name: string;
  readonly inputs: Tensor3D;
  /** First step of each window in the source series. */
  readonly starts: Int32Array;
  /** 1 = the window overlaps a labelled anomaly; present when the series has labels. */
  readonly labels?: Int32Array;
  readonly classNames?: readonly string[];
  readonly channels: readonly string[];
  /** Windows skipped and why (NaN/Inf values). */
  readonly report: DataReport;
}

export interface WindowOptions {
  /** Steps per window. */
  length: number;
  /** Steps between window starts (default: length, i.e. no overlap). */
  stride?: number;
  /** Only steps in [start, end) are windowed (default: the whole series). */
  start?: number;
  end?: number;
  /**
   * For labelled series: a window counts as an anomaly when at least this many of its steps
   * are anomalous, or when it holds a whole anomaly (default 1). Windows that only clip the
   * edge of an anomaly by fewer steps are ambiguous — mostly normal readings labelled as a
   * fault — and are skipped and reported rather than scored either way.
   */
  minAnomalySteps?: number;
}

/** Builds a Series from named columns of equal length (e.g. parsed CSV columns). */
export function seriesFromColumns(
  name: string,
  columns: Record<string, ArrayLike<number>>
): Series {
  const channels = Object.keys(columns);
  check(
    channels.length > 0,
    `seriesFromColumns('${name}'): no columns were given.`,
    'Pass at least one named column, e.g. { temperature: [...], pressure: [...] }.'
  );
  const length = columns[channels[0]].length;
  for (const c of channels) {
    check(
      columns[c].length === length,
      `seriesFromColumns('${name}'): column '${c}' has ${columns[c].length} values but '${channels[0]}' has ${length}.`,
      'Give every column one value per time step (use NaN for a missing reading).'
    );
  }
  const values = new Float32Array(length * channels.length);
  for (let t = 0; t < length; t++) {
    channels.forEach((c, j) => {
      values[t * channels.length + j] = Number(columns[c][t]);
    });
  }
  return { name, values, length, channels };
}

function checkSeries(what: string, series: Series): void {
  check(
    typeof series === 'object' &&
      series !== null &&
      series.values instanceof Float32Array &&
      Array.isArray(series.channels) &&
      series.channels.length > 0,
    `${what}: expected a Series { values: Float32Array, length, channels }, got ${series === null ? 'null' : typeof series}.`,
    'Build one with sensorSeries(...), loadWeatherSeries() or seriesFromColumns(name, columns).'
  );
  check(
    series.values.length === series.length * series.channels.length,
    `${what}: series '${series.name}' has ${series.values.length} values, not length x channels = ${series.length} x ${series.channels.length}.`,
    'Store the values row-major: values[t * channels + c].'
  );
}

/**
 * Cuts `series` into windows of `length` steps every `stride` steps. A window with any NaN or
 * Inf value is skipped and noted in the report (the model would otherwise turn the whole batch
 * into NaN); if every window is skipped, the error names why.
 */
export function windowSeries(series: Series, options: WindowOptions): SeriesWindows {
  const what = 'windowSeries';
  checkSeries(what, series);
  check(
    typeof options === 'object' && options !== null,
    `${what} needs options with a window length.`,
    'Call windowSeries(series, { length: 64, stride: 16 }).'
  );
  checkOptionNames(what, options, ['length', 'stride', 'start', 'end', 'minAnomalySteps']);
  const { length } = options;
  const stride = options.stride ?? length;
  const from = options.start ?? 0;
  const to = options.end ?? series.length;
  check(
    Number.isInteger(length) && length >= 2,
    `${what}: length must be an integer of at least 2 steps, got ${String(length)}.`,
    'Pass e.g. length: 64.'
  );
  check(
    Number.isInteger(stride) && stride >= 1,
    `${what}: stride must be a positive integer, got ${String(stride)}.`,
    'Pass e.g. stride: 16 (overlapping windows) or stride equal to length (none).'
  );
  check(
    Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= series.length && from < to,
    `${what}: start/end must satisfy 0 <= start < end <= ${series.length}, got ${from} and ${to}.`,
    'Pick a range inside the series.'
  );
  check(
    to - from >= length,
    `${what}: the ${to - from} steps of '${series.name}' are fewer than one window of ${length}.`,
    `Use a window length of at most ${to - from}, or a longer series.`
  );
  const minAnomalySteps = options.minAnomalySteps ?? 1;
  check(
    Number.isInteger(minAnomalySteps) && minAnomalySteps >= 1 && minAnomalySteps <= length,
    `${what}: minAnomalySteps must be an integer from 1 to the window length ${length}, got ${String(minAnomalySteps)}.`,
    `Pass e.g. minAnomalySteps: ${Math.max(1, Math.round(length / 4))} (a quarter of the window).`
  );
  const anomalousSteps = (s: number): number => {
    let n = 0;
    for (let t = s; t < s + length; t++) {
      n += series.anomaly![t] ? 1 : 0;
    }
    return n;
  };
  const c = series.channels.length;
  const report = new DataReport(`windows of ${length} steps from '${series.name}'`);
  const kept: number[] = [];
  for (let s = from; s + length <= to; s += stride) {
    report.total++;
    let bad = -1;
    for (let i = s * c; i < (s + length) * c && bad < 0; i++) {
      if (!Number.isFinite(series.values[i])) {
        bad = i;
      }
    }
    if (bad >= 0) {
      const step = Math.floor(bad / c);
      const value = series.values[bad];
      report.note(
        `window at step ${s}`,
        `${Number.isNaN(value) ? 'NaN' : 'Inf'} in '${series.channels[bad % c]}' (first at step ${step})`,
        'skipped'
      );
    } else if (series.anomaly && minAnomalySteps > 1) {
      const n = anomalousSteps(s);
      const whole = !series.anomaly[s] && !series.anomaly[s + length - 1];
      if (n > 0 && n < minAnomalySteps && !whole) {
        report.note(
          `window at step ${s}`,
          `clips a labelled anomaly by fewer than ${minAnomalySteps} steps (ambiguous)`,
          'skipped'
        );
      } else {
        kept.push(s);
      }
    } else {
      kept.push(s);
    }
  }
  report.throwIfEmpty(
    kept.length,
    'Fill or drop the missing readings, or use shorter windows so some windows avoid them.'
  );
  const data = new Float32Array(kept.length * length * c);
  kept.forEach((s, i) => data.set(series.values.subarray(s * c, (s + length) * c), i * length * c));
  let labels: Int32Array | undefined;
  if (series.anomaly) {
    labels = Int32Array.from(kept, s => (anomalousSteps(s) > 0 ? 1 : 0));
  }
  return {
    name: `${series.name} (windows of ${length})`,
    inputs: tf.tensor3d(data, [kept.length, length, c]),
    starts: Int32Array.from(kept),
    labels,
    classNames: labels ? ['normal', 'anomaly'] : undefined,
    channels: series.channels,
    report
  };
}

/** Per-channel standardisation learned from training windows. */
export interface Standardizer {
  readonly mean: Float32Array;
  readonly std: Float32Array;
  /** Channels with no spread in the training windows (scaled by 1 instead of 1/0). */
  readonly constantChannels: number[];
  /** (x - mean) / std per channel: a new tensor, or a copy of a windows dataset with new inputs. */
  transform(x: Tensor3D): Tensor3D;
  transform<D extends { inputs: Tensor3D }>(data: D): D;
}

/**
 * Fits per-channel mean and standard deviation over every step of every training window.
 * Fit on training windows only, then transform both training and test windows with it.
 */
export function fitStandardizer(inputs: Tensor3D | { inputs: Tensor3D }): Standardizer {
  const x = inputs instanceof tf.Tensor ? inputs : inputs?.inputs;
  check(
    x instanceof tf.Tensor && x.rank === 3 && !x.isDisposed,
    `fitStandardizer expects windows of shape [count, length, channels], got ${x instanceof tf.Tensor ? `shape [${x.shape.join(', ')}]` : typeof x}.`,
    'Pass the training windows from windowSeries(...) (or their .inputs).'
  );
  const [meanT, stdT] = tf.tidy(() => {
    const moments = tf.moments(x, [0, 1]);
    return [moments.mean, tf.sqrt(moments.variance)];
  });
  const mean = meanT.dataSync() as Float32Array;
  const rawStd = stdT.dataSync() as Float32Array;
  meanT.dispose();
  stdT.dispose();
  check(
    mean.every(Number.isFinite) && rawStd.every(Number.isFinite),
    'fitStandardizer: the training windows contain NaN or Inf, so no statistics can be fitted.',
    'Cut them with windowSeries, which skips windows with NaN/Inf and reports them.'
  );
  const constantChannels: number[] = [];
  const std = Float32Array.from(rawStd, (s, i) => {
    if (s > 1e-8) {
      return s;
    }
    constantChannels.push(i);
    return 1;
  });
  const apply = (t: Tensor3D): Tensor3D => {
    check(
      t instanceof tf.Tensor && t.rank === 3 && t.shape[2] === mean.length,
      `Standardizer: expected windows [count, length, ${mean.length}], got ${t instanceof tf.Tensor ? `[${t.shape.join(', ')}]` : typeof t}.`,
      'Transform windows with the same channels as the training windows.'
    );
    return tf.tidy(() => tf.div(tf.sub(t, tf.tensor1d(mean)), tf.tensor1d(std))) as Tensor3D;
  };
  function transform(x: Tensor3D): Tensor3D;
  function transform<D extends { inputs: Tensor3D }>(data: D): D;
  function transform(data: Tensor3D | { inputs: Tensor3D }): unknown {
    if (data instanceof tf.Tensor) {
      return apply(data);
    }
    check(
      typeof data === 'object' && data !== null && data.inputs instanceof tf.Tensor,
      'Standardizer.transform expects windows (a tensor or a windowSeries result).',
      'Pass windowSeries(series, { length }) or its .inputs.'
    );
    return { ...data, inputs: apply(data.inputs) };
  }
  return { mean, std, constantChannels, transform };
}
