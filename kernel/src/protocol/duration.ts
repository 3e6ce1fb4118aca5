/** Shown where a value is missing (null, NaN sent as null, not yet known). */
export const MISSING = '—';

/**
 * Seconds as a short duration: "42s", "2m05s", "1h02m" — the syntax train()'s `budget`
 * accepts, so a shown time can be pasted back as a budget. Missing or negative: MISSING.
 */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) {
    return MISSING;
  }
  const total = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (total < 60) {
    return `${total}s`;
  }
  if (total < 3600) {
    return `${Math.floor(total / 60)}m${pad(total % 60)}s`;
  }
  return `${Math.floor(total / 3600)}h${pad(Math.floor((total % 3600) / 60))}m`;
}
