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

/** One embedded example on a 2-D map (UMAP or PCA coordinates). */
export interface MapPoint {
  x: number;
  y: number;
  index: number;
  label?: string;
  /** PNG data URI of the image, shown on hover by the tooltip. */
  image?: string;
}

/** A zoomable scatter of embeddings, coloured by class when labelled, images on hover. */
export function embeddingMapSpec(
  points: MapPoint[],
  options: { title: string; method: string; labelled: boolean; thumbnails: boolean }
): VegaLiteSpec {
  const { title, method, labelled, thumbnails } = options;
  return themed({
    title,
    width: 420,
    height: 360,
    datasets: { points },
    data: { name: 'points' },
    params: [{ name: 'zoom', select: 'interval', bind: 'scales' }],
    mark: { type: 'circle', size: 18, opacity: 0.75 },
    encoding: {
      x: {
        field: 'x',
        type: 'quantitative',
        title: `${method} 1`,
        axis: { labels: false, ticks: false }
      },
      y: {
        field: 'y',
        type: 'quantitative',
        title: `${method} 2`,
        axis: { labels: false, ticks: false }
      },
      ...(labelled ? { color: { field: 'label', type: 'nominal', title: 'class' } } : {}),
      tooltip: [
        ...(labelled ? [{ field: 'label', type: 'nominal', title: 'class' }] : []),
        { field: 'index', type: 'quantitative', title: 'example #' },
        // vega-tooltip shows a field titled 'image' as a picture.
        ...(thumbnails ? [{ field: 'image', type: 'nominal', title: 'image' }] : [])
      ]
    }
  });
}

export interface EfficiencyPoint {
  /** Label budget, e.g. '1%'; `order` keeps budgets in the order they were asked for. */
  budget: string;
  order: number;
  protocol: string;
  mean: number;
  /** mean ± std, clipped to [0, 1]. */
  low: number;
  high: number;
}

/** Test accuracy (mean ± std over seeds) per label budget and protocol. */
export function labelEfficiencySpec(rows: EfficiencyPoint[]): VegaLiteSpec {
  const x = {
    field: 'budget',
    type: 'ordinal',
    title: 'labels available',
    sort: { field: 'order' }
  };
  const color = { field: 'protocol', type: 'nominal', title: 'protocol' };
  const xOffset = { field: 'protocol', type: 'nominal' };
  return themed({
    title: 'Label efficiency: test accuracy vs labels available',
    width: 380,
    height: 240,
    datasets: { results: rows },
    data: { name: 'results' },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'low', type: 'quantitative' },
          y2: { field: 'high' },
          color,
          xOffset
        }
      },
      {
        mark: { type: 'point', filled: true, size: 60, tooltip: true },
        encoding: {
          x,
          y: {
            field: 'mean',
            type: 'quantitative',
            title: 'test accuracy (mean ± std over seeds)',
            scale: { domain: [0, 1] },
            axis: { format: '%' }
          },
          color,
          xOffset
        }
      }
    ]
  });
}

/** One bar per configuration, one panel per metric, each with its own x scale. */
export function sweepMetricsSpec(
  values: { config: string; metric: string; value: number }[]
): VegaLiteSpec {
  return themed({
    data: { values },
    facet: { column: { field: 'metric', type: 'nominal', title: null } },
    spec: {
      width: 160,
      height: { step: 18 },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'config', type: 'nominal', sort: null, title: null },
        x: { field: 'value', type: 'quantitative', title: null },
        color: { field: 'metric', type: 'nominal', legend: null }
      }
    },
    resolve: { scale: { x: 'independent' } }
  });
}
