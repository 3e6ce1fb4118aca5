/**
 * Chart tooltips as HTML that untrusted data cannot break out of.
 *
 * vega-tooltip's own formatter escapes only `&` and `<`, and puts a field titled `image` into
 * `<img src="...">` after a URL round trip that keeps `"` in `javascript:` and `data:` URLs:
 * a label such as `javascript:x" onerror="..."` would then run script on hover. This formatter
 * escapes every character that matters in text and in quoted attributes, and shows an image
 * only for a base64 `data:image/*` URI (the thumbnails the kernel sends); anything else in the
 * `image` field is shown as text. Same markup as vega-tooltip (h2, img, table.key/.value), so
 * its default style still applies. Pure module: no DOM.
 */
import { isRecord } from './json';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;'
};

/** Text safe inside an element and inside a quoted attribute. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, char => ESCAPES[char]);
}

const IMAGE_DATA_URI = /^data:image\/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

/** Whether `value` is an inline raster image that may become an `<img src>`. */
export function isImageDataUri(value: unknown): value is string {
  return typeof value === 'string' && IMAGE_DATA_URI.test(value);
}

/** Nested values as short JSON; never throws. */
function stringify(value: unknown, maxDepth: number): string {
  const seen: unknown[] = [];
  const replacer = function (this: unknown, _key: string, child: unknown): unknown {
    if (typeof child !== 'object' || child === null) {
      return child;
    }
    const at = seen.indexOf(this) + 1;
    seen.length = at;
    if (seen.length > maxDepth) {
      return '[Object]';
    }
    if (seen.includes(child)) {
      return '[Circular]';
    }
    seen.push(child);
    return child;
  };
  try {
    return JSON.stringify(value, replacer) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * The tooltip's inner HTML for a Vega tooltip value: a scalar, an array, or an object of
 * `{title?, image?, ...fields}`. Signature of vega-tooltip's `formatTooltip` option; its
 * `valueToHtml` and `baseURL` arguments are deliberately not used.
 */
export function formatTooltip(
  value: unknown,
  _valueToHtml?: unknown,
  maxDepth = 2,
  _baseURL?: unknown
): string {
  if (Array.isArray(value)) {
    const items = value.map(item =>
      escapeHtml(typeof item === 'string' ? item : stringify(item, maxDepth))
    );
    return `[${items.join(', ')}]`;
  }
  if (!isRecord(value)) {
    return escapeHtml(value);
  }
  const { title, image, ...rest } = value;
  let html = '';
  if (title !== undefined && title !== null && title !== '') {
    html += `<h2>${escapeHtml(title)}</h2>`;
  }
  const fields: Array<[string, unknown]> = Object.entries(rest);
  if (isImageDataUri(image)) {
    html += `<img src="${image}" alt="">`;
  } else if (image !== undefined && image !== null) {
    fields.unshift(['image', image]);
  }
  const rows = fields
    .filter(([, field]) => field !== undefined)
    .map(([key, field]) => {
      const text = typeof field === 'object' && field !== null ? stringify(field, maxDepth) : field;
      return `<tr><td class="key">${escapeHtml(key)}</td><td class="value">${escapeHtml(text)}</td></tr>`;
    });
  if (rows.length > 0) {
    html += `<table>${rows.join('')}</table>`;
  }
  return html || '{}';
}
