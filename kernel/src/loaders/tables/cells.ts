/**
 * Table cells: what one parsed cell holds once missing-value tokens and number syntax are
 * recognised. Shared by CSV / JSON parsing, kind inference, fitting and encoding.
 */
import type { DataReport } from '../../data/report';

/** One cell as parsed from CSV (strings) or JSON records (numbers, booleans, null). */
export type Cell = string | number | boolean | null | undefined;

/** Parsed rows before any encoding: `rows[r][c]` is column `columns[c]` of data row r. */
export interface RawTable {
  readonly name: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
  /** What parsing skipped or renamed (ragged rows, duplicate headers). */
  readonly report: DataReport;
  /** Where each row came from, for reports (e.g. 'line 12' of a CSV); default 'row r+1'. */
  readonly rowNames?: readonly string[];
}

const MISSING_TOKENS = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?'];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(inf|infinity)$/i;

/** What a cell holds, once missing tokens and number syntax are recognised. */
export type ParsedCell =
  | { kind: 'missing' }
  | { kind: 'number'; value: number }
  | { kind: 'nonfinite'; text: string }
  | { kind: 'text'; text: string };

export function parseCell(cell: Cell, missing: ReadonlySet<string>): ParsedCell {
  if (cell === null || cell === undefined) {
    return { kind: 'missing' };
  }
  if (typeof cell === 'number') {
    return Number.isFinite(cell)
      ? { kind: 'number', value: cell }
      : { kind: 'nonfinite', text: String(cell) };
  }
  if (typeof cell === 'boolean') {
    return { kind: 'text', text: String(cell) };
  }
  const text = String(cell).trim();
  if (missing.has(text)) {
    return { kind: 'missing' };
  }
  if (NUMBER.test(text)) {
    return { kind: 'number', value: Number(text) };
  }
  if (NON_FINITE.test(text)) {
    return { kind: 'nonfinite', text };
  }
  return { kind: 'text', text };
}

export function missingTokens(extra: readonly string[] = []): Set<string> {
  return new Set([...MISSING_TOKENS, ...extra]);
}
