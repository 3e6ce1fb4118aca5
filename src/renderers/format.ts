/**
 * Display formatting and table sorting. Pure module: no DOM, no JupyterLab.
 * Output is locale-independent so tests and screenshots are stable.
 */
import { MISSING } from 'pretext/protocol';
import type { CellValue, ColumnFormat } from './models';

/**
 * MISSING and the duration format ("42s", "2m05s", "1h02m") are the protocol's, so the
 * kernel's text output and the extension show times alike.
 */
export { MISSING, formatDuration } from 'pretext/protocol';

/** Inserts thousands separators into an integer string ("60000" -> "60,000"). */
function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * A number in at most 4 significant digits, integers in full with separators,
 * very large or small magnitudes in exponent form (losses reach 1e-5).
 */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return MISSING;
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e15) {
    const sign = value < 0 ? '-' : '';
    return sign + groupThousands(String(Math.abs(value)));
  }
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) {
    return value.toExponential(2);
  }
  // Number() drops the trailing zeros toPrecision keeps ("0.5000" -> "0.5").
  const rounded = Number(value.toPrecision(4));
  if (Number.isInteger(rounded)) {
    return formatNumber(rounded);
  }
  return String(rounded);
}

/** A fraction (0.734) as a percentage ("73.4%"). */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) {
    return MISSING;
  }
  return `${(value * 100).toFixed(1)}%`;
}

/** Progress as a fraction in [0, 1]; 0 when the total is unknown. */
export function progressFraction(step: number, total: number): number {
  if (!Number.isFinite(step) || !Number.isFinite(total) || total <= 0) {
    return 0;
  }
  return Math.min(1, Math.max(0, step / total));
}

/** The text of a table cell under the column's format. */
export function formatCell(value: CellValue, format?: ColumnFormat): string {
  if (value === null) {
    return MISSING;
  }
  if (format === 'text' || typeof value === 'string') {
    return String(value);
  }
  return format === 'percent' ? formatPercent(value) : formatNumber(value);
}

/** Whether a column holds numbers (right-aligned, compared numerically). */
export function isNumericColumn(
  rows: ReadonlyArray<Record<string, CellValue>>,
  column: string,
  format?: ColumnFormat
): boolean {
  if (format === 'text') {
    return false;
  }
  if (format === 'percent' || format === 'number') {
    return true;
  }
  let seen = false;
  for (const row of rows) {
    const value = row[column];
    if (typeof value === 'string') {
      return false;
    }
    seen = seen || typeof value === 'number';
  }
  return seen;
}

export type SortDirection = 'ascending' | 'descending';

/** Orders two non-null cells: numbers before strings, strings in natural order. */
function compareValues(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') {
    return a - b;
  }
  if (typeof a === 'number') {
    return -1;
  }
  if (typeof b === 'number') {
    return 1;
  }
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

/**
 * Rows sorted by one column. Missing cells always go last, whatever the
 * direction, so flipping the order never buries the values at the bottom.
 * The sort is stable and returns a new array.
 */
export function sortRows<R extends Record<string, CellValue>>(
  rows: readonly R[],
  column: string,
  direction: SortDirection
): R[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((left, right) => {
    const a = left[column];
    const b = right[column];
    if (a === null || a === undefined) {
      return b === null || b === undefined ? 0 : 1;
    }
    if (b === null || b === undefined) {
      return -1;
    }
    return sign * compareValues(a, b);
  });
}
