/**
 * Vega-Lite spec builders, one per chart the product shows. Data goes in named datasets so
 * a live renderer can swap values without rebuilding the view.
 */
import type { VegaLiteSpec } from './mime';
import { themed } from './theme';

export interface LossPoint {
  step: number;
  epoch: number;
  loss: number;
}

/** Pretext loss per optimisation step, with a smoothed line for the trend. */
export function lossCurveSpec(points: LossPoint[], title = 'Pretext-task loss'): VegaLiteSpec {
  return themed({
    title,
    width: 420,
    height: 180,
    datasets: { history: points },
    data: { name: 'history' },
    layer: [
      {
        mark: { type: 'line', opacity: 0.35, strokeWidth: 1 },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'training step' },
          y: {
            field: 'loss',
            type: 'quantitative',
            title: 'loss (lower is better)',
            scale: { zero: false }
          }
        }
      },
      {
        transform: [{ loess: 'loss', on: 'step', bandwidth: 0.3 }],
        mark: { type: 'line', strokeWidth: 2.5 },
        encoding: {
          x: { field: 'step', type: 'quantitative' },
          y: { field: 'loss', type: 'quantitative' }
        }
      }
    ]
  });
}

export interface AccuracyRow {
  /** What produced the features, e.g. 'SimCLR encoder' or 'random init (same architecture)'. */
  model: string;
  /** How accuracy was measured, e.g. 'kNN (k=20)' or 'linear probe'. */
  protocol: string;
  accuracy: number;
}

/** Downstream accuracy per model and protocol, as grouped horizontal bars. */
export function accuracyBarsSpec(
  rows: AccuracyRow[],
  title = 'Downstream accuracy on held-out test examples'
): VegaLiteSpec {
  return themed({
    title,
    width: 360,
    datasets: { results: rows },
    data: { name: 'results' },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'model', type: 'nominal', title: null, sort: null, axis: { labelLimit: 260 } },
      yOffset: { field: 'protocol', type: 'nominal' },
      x: {
        field: 'accuracy',
        type: 'quantitative',
        title: 'test accuracy',
        scale: { domain: [0, 1] },
        axis: { format: '%' }
      },
      color: { field: 'protocol', type: 'nominal', title: 'evaluation' }
    }
  });
}
