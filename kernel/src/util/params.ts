import { PretextError } from './errors';

/**
 * Notebook parameters with a small default (tests, quick looks) and a full size
 * (`PRETEXT_FULL=1`). `PRETEXT_PARAMS='{"epochs": 3}'` overrides single values, which is how
 * headless runs of one notebook sweep settings.
 */
export function params<T extends Record<string, unknown>>(sizes: {
  small: T;
  full: T;
}): T & { full: boolean } {
  const full = process.env.PRETEXT_FULL === '1';
  const chosen = { ...(full ? sizes.full : sizes.small) };
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
    for (const [name, value] of Object.entries(overrides)) {
      if (!(name in chosen)) {
        throw new PretextError(
          `PRETEXT_PARAMS sets '${name}', which this notebook does not use.`,
          `Use one of: ${Object.keys(chosen).join(', ')}.`
        );
      }
      (chosen as Record<string, unknown>)[name] = value;
    }
  }
  return { ...chosen, full };
}
