/**
 * The one run comparison: the loss curves of stored runs as one Vega-Lite spec, used by the
 * kernel's compareRuns() and the extension's runs browser.
 *
 * Runs of one method share a loss scale, so their curves go on one chart. Losses of
 * different methods are not comparable in height (NT-Xent vs. a reconstruction error), so
 * then each run gets its own panel with its own y scale: the shapes (how fast, how smooth,
 * whether it plateaus) are what can be compared.
 */
import type { VegaLiteSpec } from './payloads';

export interface LossPoint {
  step: number;
  /** null where the stored loss was NaN: a gap, not a point. */
  loss: number | null;
}

export interface LossCurve {
  /** Shown in the legend or panel header; unique per curve (see runLabel). */
  label: string;
  method: string;
  points: readonly LossPoint[];
}

/** How runs are named in lists and charts: name with id, or the id. */
export function runLabel(run: { id: string; name?: string }): string {
  return run.name ? `${run.name} (${run.id})` : run.id;
}

/** Points per curve drawn at most; longer curves are thinned evenly, keeping the last. */
export const MAX_POINTS_PER_CURVE = 400;

/** Every n-th point so at most `max` remain, always keeping the first and the last. */
export function thin<T>(points: readonly T[], max = MAX_POINTS_PER_CURVE): T[] {
  if (points.length <= max) {
    return [...points];
  }
  const stride = points.length / max;
  const kept: T[] = [];
  for (let i = 0; i < max; i++) {
    kept.push(points[Math.floor(i * stride)]);
  }
  kept[kept.length - 1] = points[points.length - 1];
  return kept;
}

export type CompareLayout = 'overlay' | 'panels';

export function compareLayout(curves: readonly LossCurve[]): CompareLayout {
  return new Set(curves.map(c => c.method)).size <= 1 ? 'overlay' : 'panels';
}

/** Why `curves` cannot be compared (problem + fix), or undefined when they can. */
export function compareProblem(
  curves: readonly LossCurve[]
): { problem: string; fix: string } | undefined {
  if (curves.length === 0) {
    return { problem: 'Select at least one run with metrics to compare.', fix: '' };
  }
  const empty = curves.filter(c => !c.points.some(p => p.loss !== null));
  if (empty.length > 0) {
    return {
      problem: `No loss recorded yet for ${empty.map(c => c.label).join(', ')};`,
      fix: 'compare runs that have trained at least one step.'
    };
  }
  if (new Set(curves.map(c => c.label)).size !== curves.length) {
    return {
      problem: 'Two curves have the same label;',
      fix: 'label runs by name and id (runLabel).'
    };
  }
  return undefined;
}

export interface CompareSpecOptions {
  width?: number;
  height?: number;
  /** Panels per row when methods differ (default 1: a side panel is narrow). */
  columns?: number;
  /** Overlay title (default `<method> loss by run`). */
  title?: string;
}

/**
 * The spec comparing `curves`. Throws when compareProblem finds one, since an empty chart
 * would look like a rendering bug.
 */
export function buildCompareSpec(
  curves: readonly LossCurve[],
  options: CompareSpecOptions = {}
): VegaLiteSpec {
  const problem = compareProblem(curves);
  if (problem) {
    throw new Error(`${problem.problem} ${problem.fix}`.trim());
  }
  const values = curves.flatMap(curve =>
    thin(curve.points.filter(p => p.loss !== null)).map(p => ({
      run: curve.label,
      method: curve.method,
      step: p.step,
      loss: p.loss
    }))
  );
  const x = { field: 'step', type: 'quantitative', title: 'training step' };
  const y = { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } };
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'transparent',
    datasets: { curves: values },
    data: { name: 'curves' }
  };
  if (compareLayout(curves) === 'overlay') {
    return {
      ...common,
      title: options.title ?? `${curves[0].method} loss by run`,
      width: options.width ?? 190,
      height: options.height ?? 140,
      mark: { type: 'line', strokeWidth: 2, tooltip: true },
      encoding: {
        x,
        y,
        color: {
          field: 'run',
          type: 'nominal',
          title: 'run',
          legend: { orient: 'bottom', direction: 'vertical' }
        }
      }
    };
  }
  return {
    ...common,
    // Short: the side panel is narrow. Each panel has its own y scale (methods differ).
    title: 'Loss by run (own y scale each)',
    columns: options.columns ?? 1,
    facet: {
      field: 'run',
      type: 'nominal',
      title: null,
      sort: curves.map(c => c.label),
      header: { labelLimit: 220 }
    },
    spec: {
      width: options.width ?? 190,
      height: options.height ?? 70,
      mark: { type: 'line', strokeWidth: 2, tooltip: true },
      // The panel header names the run; a method legend would not fit a side panel.
      encoding: { x, y, color: { field: 'method', type: 'nominal', legend: null } }
    },
    resolve: { scale: { y: 'independent' } }
  };
}
