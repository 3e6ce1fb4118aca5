/**
 * Deciding how a chart that is already on screen takes a new spec.
 *
 * The training dashboard re-sends its whole spec every few steps. Re-embedding
 * Vega each time flickers and costs a full compile, so when only the values of
 * NAMED datasets changed (top-level `datasets`, or `data: {name, values}`), the
 * view is fed the new values instead. Anything else re-embeds.
 * Pure module: no DOM, no Vega.
 */
import { isRecord } from './json';
import type { VegaLiteSpec } from './models';

export interface ISpecShape {
  /** Everything in the spec except named dataset values, serialised. */
  structureKey: string;
  /** Named datasets: name -> values as sent, and their serialisation for comparing. */
  datasets: Map<string, { values: unknown[]; json: string }>;
}

export type ChartUpdatePlan =
  | { kind: 'embed' }
  | { kind: 'none' }
  | { kind: 'data'; changes: Array<{ name: string; values: unknown[] }> };

const PLACEHOLDER = '<pretext:dataset>';

/**
 * Splits a spec into its structure and its named datasets. `context` is added
 * to the structure key for things outside the spec that also need a new view
 * (the chart theme).
 */
export function describeSpec(spec: VegaLiteSpec, context = ''): ISpecShape {
  const datasets: ISpecShape['datasets'] = new Map();
  const take = (name: string, values: unknown[]): boolean => {
    if (datasets.has(name)) {
      // The same name twice: leave the second copy in the structure, so a
      // change there re-embeds rather than guessing which copy Vega keeps.
      return false;
    }
    datasets.set(name, { values, json: JSON.stringify(values) });
    return true;
  };

  const strip = (node: unknown, topLevel: boolean): unknown => {
    if (Array.isArray(node)) {
      return node.map(child => strip(child, false));
    }
    if (!isRecord(node)) {
      return node;
    }
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (topLevel && key === 'datasets' && isRecord(value)) {
        const named: Record<string, unknown> = {};
        for (const [name, values] of Object.entries(value)) {
          named[name] = Array.isArray(values) && take(name, values) ? PLACEHOLDER : values;
        }
        copy[key] = named;
      } else if (
        key === 'data' &&
        isRecord(value) &&
        typeof value.name === 'string' &&
        Array.isArray(value.values) &&
        take(value.name, value.values)
      ) {
        copy[key] = { ...value, values: PLACEHOLDER };
      } else {
        copy[key] = strip(value, false);
      }
    }
    return copy;
  };

  const structure = strip(spec, true);
  return { structureKey: `${context}\n${JSON.stringify(structure)}`, datasets };
}

/** What to do to go from the chart on screen (`previous`) to `next`. */
export function planChartUpdate(previous: ISpecShape | null, next: ISpecShape): ChartUpdatePlan {
  if (previous === null || previous.structureKey !== next.structureKey) {
    return { kind: 'embed' };
  }
  const changes: Array<{ name: string; values: unknown[] }> = [];
  for (const [name, dataset] of next.datasets) {
    const before = previous.datasets.get(name);
    if (before === undefined) {
      // Cannot happen with equal structure keys, but a new dataset needs a new view.
      return { kind: 'embed' };
    }
    if (before.json !== dataset.json) {
      changes.push({ name, values: dataset.values });
    }
  }
  return changes.length === 0 ? { kind: 'none' } : { kind: 'data', changes };
}

/**
 * Whether the compiled Vega spec lets `view.data(name, values)` replace a
 * dataset: it must be a root dataset of inline values without a `format.parse`
 * (values set through the view API skip format parsing, so dates would break).
 */
export function canReplaceData(vegaSpec: unknown, name: string): boolean {
  if (!isRecord(vegaSpec) || !Array.isArray(vegaSpec.data)) {
    return false;
  }
  const entry = vegaSpec.data.find(item => isRecord(item) && item.name === name);
  if (!isRecord(entry) || !Array.isArray(entry.values) || entry.source !== undefined) {
    return false;
  }
  const format = entry.format;
  return format === undefined || (isRecord(format) && format.parse === undefined);
}
