import { PretextError } from './errors';
import { closestNames } from './names';

/** The kind of a parameter value, as JSON has them (what papermill and grids can pass). */
export type ParamKind = 'number' | 'string' | 'boolean' | 'array' | 'object' | 'null';

export function paramKind(value: unknown): ParamKind {
  if (value === null || value === undefined) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  const kind = typeof value;
  if (kind === 'number' || kind === 'string' || kind === 'boolean') {
    return kind;
  }
  return 'object';
}

/**
 * Checks overrides against the declared defaults: every name declared (closest name
 * suggested) and every value of the default's kind (a null default accepts anything).
 * `source` names where the overrides came from, for the message.
 */
export function checkOverrides(
  declared: Record<string, unknown>,
  overrides: Record<string, unknown>,
  source: string
): void {
  const names = Object.keys(declared);
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in declared)) {
      const nearest = closestNames(name, names, 1)[0];
      throw new PretextError(
        `${source} sets '${name}', which this notebook does not use.`,
        `${nearest ? `Did you mean '${nearest}'? ` : ''}Use one of: ${names.join(', ')}.`
      );
    }
    const want = paramKind(declared[name]);
    const got = paramKind(value);
    if (want !== 'null' && got !== want) {
      throw new PretextError(
        `${source} sets '${name}' to ${JSON.stringify(value)} (${got}), but the notebook's default is ${JSON.stringify(declared[name])} (${want}).`,
        `Pass a ${want} for '${name}'.`
      );
    }
  }
}

type Params = Record<string, unknown> & { full: boolean };

// The last object px.params returned and its declared defaults: papermill's injected cell runs
// after the parameters cell, so it updates that object in place (cells hold a reference to it).
let current: { values: Params; declared: Record<string, unknown> } | undefined;
// Values injected before any px.params call, applied by the next one.
let pending: Record<string, unknown> | undefined;

/**
 * Notebook parameters with a small default (tests, quick looks) and a full size
 * (`PRETEXT_FULL=1`). `PRETEXT_PARAMS='{"epochs": 3}'` overrides single values, and so does
 * papermill's injected cell (`injectParams`), which is how headless runs sweep settings.
 */
export function params<T extends Record<string, unknown>>(sizes: {
  small: T;
  full: T;
}): T & { full: boolean } {
  const full = process.env.PRETEXT_FULL === '1';
  const chosen = { ...(full ? sizes.full : sizes.small) };
  const declared = { ...sizes.small, ...sizes.full };
  const raw = process.env.PRETEXT_PARAMS;
  if (raw) {
    let overrides: unknown;
    try {
      overrides = JSON.parse(raw);
    } catch {
      throw new PretextError(
        `PRETEXT_PARAMS is not valid JSON: ${raw}`,
        `Set it to a JSON object, e.g. PRETEXT_PARAMS='{"epochs": 3}'.`
      );
    }
    if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
      throw new PretextError(
        `PRETEXT_PARAMS must be a JSON object, got ${raw}.`,
        `Use e.g. PRETEXT_PARAMS='{"epochs": 3}'.`
      );
    }
    checkOverrides(declared, overrides as Record<string, unknown>, 'PRETEXT_PARAMS');
    Object.assign(chosen, overrides);
  }
  const values = { ...chosen, full } as Params;
  current = { values, declared };
  if (pending) {
    const injected = pending;
    pending = undefined;
    injectParams(injected);
  }
  return values as T & { full: boolean };
}

/**
 * What papermill's injected cell calls (see jupyterlab_pretext/papermill.py): checks the
 * values against the parameters the notebook declared and writes them into the object
 * px.params returned. Returns the parameters now in force, so the cell shows them.
 */
export function injectParams(values: Record<string, unknown>): Record<string, unknown> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new PretextError(
      `Injected parameters must be an object, got ${JSON.stringify(values)}.`,
      'Pass parameters by name, e.g. papermill -p temperature 0.1.'
    );
  }
  if (!current) {
    // The notebook has not called px.params yet: keep them for its first call.
    pending = { ...(pending ?? {}), ...values };
    return { ...pending };
  }
  checkOverrides(current.declared, values, 'The injected parameters cell');
  Object.assign(current.values, values);
  return { ...current.values };
}

/** The parameters in force (after injection), or undefined before px.params runs. */
export function currentParams(): Record<string, unknown> | undefined {
  return current ? { ...current.values } : undefined;
}

/** Forgets the parameters of this kernel session (for tests). */
export function resetParams(): void {
  current = undefined;
  pending = undefined;
}
