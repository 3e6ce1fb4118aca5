import type { VegaLiteSpec } from './mime';

/**
 * Shared look for every chart: readable on light and dark notebook themes (the SVG fallback
 * has a transparent background and mid-grey text), a categorical palette that survives
 * greyscale printing.
 */
export const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#9d755d',
  '#eeca3b'
];

export function themed(spec: VegaLiteSpec): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'transparent',
    ...spec,
    config: {
      font: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif',
      axis: {
        labelColor: '#888',
        titleColor: '#888',
        gridColor: '#8883',
        domainColor: '#888',
        tickColor: '#888'
      },
      legend: { labelColor: '#888', titleColor: '#888' },
      title: { color: '#888', fontSize: 13, anchor: 'start' },
      view: { stroke: 'transparent' },
      range: { category: PALETTE },
      ...((spec.config as object | undefined) ?? {})
    }
  };
}
