/**
 * Reading MIME data that may arrive as a JSON object or as a JSON string.
 *
 * JupyterLab hands renderers the object stored in the notebook, but tslab's
 * `display.raw` sends JSON MIME data as a string, and a notebook saved from
 * such a kernel keeps the string. Both forms must render the same.
 * Pure module: no DOM, no JupyterLab.
 */

/** Result of validating untrusted data: a value, or a message for the user. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: string): Parsed<T> {
  return { ok: false, error };
}

/** A plain JSON object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Returns the JSON object carried by `data`, parsing it first when it is a
 * string. Anything that is not, in the end, a JSON object is an error.
 */
export function readJsonObject(data: unknown): Parsed<Record<string, unknown>> {
  let value = data;
  if (typeof data === 'string') {
    try {
      value = JSON.parse(data);
    } catch (error) {
      return fail(`the data is not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isRecord(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return fail(`expected a JSON object, got ${kind}`);
  }
  return ok(value);
}

/** Deep copy of JSON data, for libraries (Vega) that mutate what they are given. */
export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
