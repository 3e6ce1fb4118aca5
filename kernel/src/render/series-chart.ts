/**
 * A multichannel series as one small line chart per channel, with labelled faults and the
 * windows a detector flagged drawn as bands behind the lines: the picture an engineer checks
 * alarms against.
 */
import { check, checkOptionNames } from '../util/errors';
import { Chart } from './chart';
import { themed } from './theme';

/**
 * What the chart reads of a series (a `Series` from the series loaders fits): declared here
 * so that render/, which every layer above it uses, imports nothing from those layers.
 */
export interface ChartSeries {
  readonly name: string;
  readonly values: Float32Array;
  readonly length: number;
  readonly channels: readonly string[];
  readonly anomaly?: Uint8Array;
  readonly events?: readonly { kind: string; channel: string; start: number; end: number }[];
}

export interface SeriesChartOptions {
  /** First and last (exclusive) step shown (default: the first 2,000 steps). */
  from?: number;
  to?: number;
  /** Step ranges [start, end) a detector flagged, e.g. windows whose score passed a threshold. */
  flagged?: readonly { start: number; end: number }[];
  title?: string;
}

/** Merges overlapping or touching [start, end) ranges. */
function merge(
  ranges: readonly { start: number; end: number }[]
): { start: number; end: number }[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: { start: number; end: number }[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.start <= last.end) {
      last.end = Math.max(last.end, r.end);
    } else {
      out.push({ start: r.start, end: r.end });
    }
  }
  return out;
}

export function seriesChart(series: ChartSeries, options: SeriesChartOptions = {}): Chart {
  checkOptionNames('seriesChart', options, ['from', 'to', 'flagged', 'title']);
  check(
    series !== null && typeof series === 'object' && series.values instanceof Float32Array,
    'seriesChart expects a Series { values, length, channels }.',
    'Pass e.g. sensorSeries(...) or seriesFromColumns(name, columns).'
  );
  const from = options.from ?? 0;
  const to = options.to ?? Math.min(series.length, from + 2000);
  check(
    Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from < to && to <= series.length,
    `seriesChart: from/to must satisfy 0 <= from < to <= ${series.length}, got ${from} and ${to}.`,
    'Pick a step range inside the series.'
  );
  check(
    to - from <= 20000,
    `seriesChart: ${to - from} steps are too many points to draw legibly.`,
    'Show at most 20,000 steps at a time, e.g. { from: 0, to: 2000 }.'
  );
  const c = series.channels.length;
  const rows: Record<string, unknown>[] = [];
  for (let t = from; t < to; t++) {
    series.channels.forEach((channel, j) => {
      const value = series.values[t * c + j];
      rows.push({ step: t, value: Number.isFinite(value) ? value : null, channel });
    });
  }
  const inView = (r: { start: number; end: number }) => r.end > from && r.start < to;
  const clip = (r: { start: number; end: number }) => ({
    start: Math.max(r.start, from),
    end: Math.min(r.end, to)
  });
  const faults = merge((series.events ?? []).filter(inView).map(clip));
  const flagged = merge((options.flagged ?? []).filter(inView).map(clip));
  for (const channel of series.channels) {
    for (const r of faults) {
      rows.push({ ...r, band: 'labelled fault', channel });
    }
    for (const r of flagged) {
      rows.push({ ...r, band: 'flagged', channel });
    }
  }
  const title = options.title ?? `${series.name}, steps ${from}-${to}`;
  const spec = themed({
    title,
    data: { values: rows },
    facet: { row: { field: 'channel', type: 'nominal', title: null, sort: [...series.channels] } },
    spec: {
      width: 640,
      height: 80,
      layer: [
        {
          transform: [{ filter: 'datum.band != null' }],
          mark: { type: 'rect', opacity: 0.3 },
          encoding: {
            x: { field: 'start', type: 'quantitative', title: 'step' },
            x2: { field: 'end' },
            color: {
              field: 'band',
              type: 'nominal',
              title: null,
              scale: { domain: ['labelled fault', 'flagged'], range: ['#999999', '#e45756'] }
            }
          }
        },
        {
          transform: [{ filter: 'datum.band == null' }],
          mark: { type: 'line', strokeWidth: 1, color: '#4c78a8' },
          encoding: {
            x: { field: 'step', type: 'quantitative', title: 'step' },
            y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } }
          }
        }
      ]
    },
    resolve: { scale: { y: 'independent' } }
  });
  const caught = faults.filter(f => flagged.some(g => g.start < f.end && g.end > f.start)).length;
  const summary =
    `${title}: ${series.channels.join(', ')}. ` +
    `${faults.length} labelled fault(s) in view` +
    (options.flagged
      ? `, ${flagged.length} flagged range(s), ${caught} of the faults flagged.`
      : '.');
  return new Chart(spec, summary);
}
