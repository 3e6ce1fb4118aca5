/**
 * Pretext's MIME types and payload types live in the protocol module, shared with the
 * JupyterLab extension; every payload the kernel sends carries PROTOCOL_VERSION.
 */
export { MIME, PROTOCOL_VERSION, type VegaLiteSpec } from '../protocol';

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
