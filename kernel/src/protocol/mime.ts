/** Pretext's MIME types: the kernel sends them, the extension registers renderers for them. */

/** Common prefix, used to recognise any Pretext output. */
export const PRETEXT_MIME_PREFIX = 'application/vnd.pretext.';

/** Builds the MIME type of a kind: `application/vnd.pretext.<kind>+json`. */
export function pretextMimeType<K extends string>(kind: K): `application/vnd.pretext.${K}+json` {
  return `${PRETEXT_MIME_PREFIX}${kind}+json` as `application/vnd.pretext.${K}+json`;
}

export const MIME = {
  /** A Vega-Lite chart: ChartPayload. */
  chart: pretextMimeType('chart'),
  /** The live training dashboard, overwritten in place while a run trains: DashboardPayload. */
  dashboard: pretextMimeType('dashboard'),
  /** A sortable results table: TablePayload. */
  table: pretextMimeType('table'),
  /** The step-by-step guide checklist, updated in place: GuidePayload. */
  guide: pretextMimeType('guide')
} as const;

export type PretextKind = keyof typeof MIME;
