/**
 * MIME types of the custom outputs the Pretext kernel library sends, from the protocol module
 * both halves share (`pretext/protocol`).
 *
 * Every kind is `application/vnd.pretext.<kind>+json`; the kernel always sends
 * an `image/svg+xml` or `text/plain` fallback beside it, so a notebook stays
 * readable where this extension is not installed.
 */
import { MIME } from 'pretext/protocol';

/** Common prefix (to recognise any Pretext output) and the MIME type of a kind added later. */
export { PRETEXT_MIME_PREFIX, pretextMimeType } from 'pretext/protocol';

/** A Vega-Lite chart: `{ version?, spec, title? }`. */
export const CHART_MIME_TYPE = MIME.chart;

/** The live training dashboard, overwritten in place while a run trains. */
export const DASHBOARD_MIME_TYPE = MIME.dashboard;

/** A sortable results table: `{ version?, title?, columns, rows, caption? }`. */
export const TABLE_MIME_TYPE = MIME.table;

/** The step-by-step guide checklist: `{ version?, steps, advice }`, updated in place. */
export const GUIDE_MIME_TYPE = MIME.guide;
