/** Pretext's MIME types; the JupyterLab extension registers renderers for the same names. */
export const MIME = {
  chart: 'application/vnd.pretext.chart+json',
  dashboard: 'application/vnd.pretext.dashboard+json',
  table: 'application/vnd.pretext.table+json',
  guide: 'application/vnd.pretext.guide+json'
} as const;

/** A Vega-Lite specification as plain JSON (kept untyped so notebooks need no Vega types). */
export type VegaLiteSpec = Record<string, unknown>;

/**
 * One output's representations. Our JSON types travel as objects; `image/svg+xml` and
 * `text/plain` (always present) keep the notebook readable where the extension is absent.
 */
export interface MimeBundle {
  'text/plain': string;
  [mime: string]: unknown;
}

/** Anything that can show itself in a notebook. */
export interface Displayable {
  toBundle(): MimeBundle | Promise<MimeBundle>;
}

export function isDisplayable(value: unknown): value is Displayable {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Displayable).toBundle === 'function'
  );
}
