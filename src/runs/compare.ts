/**
 * The Vega-Lite spec of the runs browser's "Compare": the loss curves of the selected runs.
 *
 * Runs of one method share a loss scale, so their curves go on one chart. Losses of
 * different methods are not comparable in height (NT-Xent vs. a reconstruction error), so
 * then each run gets its own panel (in `columns` columns) with its own y scale: the shapes (how fast,
 * how smooth, whether it plateaus) are what can be compared.
 * Pure module: no DOM, no JupyterLab.
 */
import { VegaLiteSpec } from '../renderers/models';
import { IMetricPoint } from './parse';

export interface ILossCurve {
  /** Shown in the legend or panel header; unique per curve (see runLabel). */
  label: string;
  method: string;
  points: readonly IMetricPoint[];
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

export function compareLayout(curves: readonly ILossCurve[]): CompareLayout {
  return new Set(curves.map(c => c.method)).size <= 1 ? 'overlay' : 'panels';
}

/**
 * The spec comparing `curves`. Throws when given fewer than one curve or a curve without a
 * finite loss, since an empty chart would look like a rendering bug.
 */
export function buildCompareSpec(
  curves: readonly ILossCurve[],
  options: { width?: number; height?: number; columns?: number } = {}
): VegaLiteSpec {
  if (curves.length === 0) {
    throw new Error('Select at least one run with metrics to compare.');
  }
  const empty = curves.filter(c => !c.points.some(p => p.loss !== null));
  if (empty.length > 0) {
    throw new Error(
      `No loss recorded yet for ${empty.map(c => c.label).join(', ')}; ` +
        'compare runs that have trained at least one step.'
    );
  }
  const labels = new Set(curves.map(c => c.label));
  if (labels.size !== curves.length) {
    throw new Error('Two curves have the same label; label runs by name and id (runLabel).');
  }
  const values = curves.flatMap(curve =>
    thin(curve.points.filter(p => p.loss !== null)).map(p => ({
      run: curve.label,
      method: curve.method,
      step: p.step,
      loss: p.loss
    }))
  );
  const layout = compareLayout(curves);
  const x = { field: 'step', type: 'quantitative', title: 'training step' };
  const y = { field: 'loss', type: 'quantitative', title: 'loss', scale: { zero: false } };
  const common = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'transparent',
    datasets: { curves: values },
    data: { name: 'curves' }
  };
  if (layout === 'overlay') {
    return {
      ...common,
      title: `${curves[0].method} loss by run`,
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
    // One panel per row by default: a side panel is narrow, and run labels need the width.
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
