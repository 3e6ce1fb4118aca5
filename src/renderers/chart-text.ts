/**
 * Chart text in the notebook's own colours.
 *
 * Kernel specs colour axes, legends and titles mid-grey so that their static SVG fallback
 * reads on any background; mid-grey on white is below the 4.5:1 contrast text needs. Live
 * charts know the theme, so their text takes the JupyterLab theme's font colours instead
 * (read from its CSS variables; Vega writes colours into SVG attributes, where `var()` does
 * not work). Specs that paint their own opaque background keep their colours.
 * Pure module: no DOM.
 */
import { isRecord } from './json';
import type { VegaLiteSpec } from './models';

export interface IChartTextColors {
  /** Titles. */
  strong: string;
  /** Axis and legend labels and titles. */
  normal: string;
  /** Axis lines and ticks. */
  muted: string;
}

/** Fallbacks when the page has no JupyterLab theme variables (or the chart theme differs). */
export const DEFAULT_TEXT_COLORS: Record<'light' | 'dark', IChartTextColors> = {
  light: {
    strong: 'rgba(0, 0, 0, 1)',
    normal: 'rgba(0, 0, 0, 0.87)',
    muted: 'rgba(0, 0, 0, 0.54)'
  },
  dark: {
    strong: 'rgba(255, 255, 255, 1)',
    normal: 'rgba(255, 255, 255, 0.87)',
    muted: 'rgba(255, 255, 255, 0.54)'
  }
};

function isTransparent(background: unknown): boolean {
  return (
    background === undefined ||
    (typeof background === 'string' &&
      /^(transparent|none|rgba\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*,\s*0(\.0*)?\s*\))$/i.test(
        background.trim()
      ))
  );
}

function section(config: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = config[key];
  return isRecord(value) ? value : {};
}

/** `spec` with axis, legend, header and title text in `colors` (a new object; no mutation). */
export function withTextColors(spec: VegaLiteSpec, colors: IChartTextColors): VegaLiteSpec {
  if (!isTransparent(spec.background)) {
    return spec;
  }
  const config = isRecord(spec.config) ? spec.config : {};
  return {
    ...spec,
    config: {
      ...config,
      axis: {
        ...section(config, 'axis'),
        labelColor: colors.normal,
        titleColor: colors.normal,
        domainColor: colors.muted,
        tickColor: colors.muted
      },
      legend: {
        ...section(config, 'legend'),
        labelColor: colors.normal,
        titleColor: colors.normal
      },
      header: {
        ...section(config, 'header'),
        labelColor: colors.normal,
        titleColor: colors.normal
      },
      title: { ...section(config, 'title'), color: colors.strong, subtitleColor: colors.normal }
    }
  };
}
