/**
 * MIME types of the custom outputs the Pretext kernel library sends.
 *
 * Every kind is `application/vnd.pretext.<kind>+json`; the kernel always sends
 * an `image/svg+xml` or `text/plain` fallback beside it, so a notebook stays
 * readable where this extension is not installed.
 */

/** Common prefix, used to recognise any Pretext output. */
export const PRETEXT_MIME_PREFIX = 'application/vnd.pretext.';

/** A Vega-Lite chart: `{ spec, title? }`. */
export const CHART_MIME_TYPE = 'application/vnd.pretext.chart+json';

/** The live training dashboard, overwritten in place while a run trains. */
export const DASHBOARD_MIME_TYPE = 'application/vnd.pretext.dashboard+json';

/** A sortable results table: `{ title?, columns, rows, caption? }`. */
export const TABLE_MIME_TYPE = 'application/vnd.pretext.table+json';

/** The step-by-step guide checklist: `{ steps, advice }`, updated in place. */
export const GUIDE_MIME_TYPE = 'application/vnd.pretext.guide+json';

/** Builds the MIME type of a kind, for kinds added later (guide, embedding map). */
export function pretextMimeType(kind: string): string {
  return `${PRETEXT_MIME_PREFIX}${kind}+json`;
}
