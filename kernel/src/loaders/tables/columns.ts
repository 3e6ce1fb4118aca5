/**
 * Column kinds: which columns are numeric features, categorical features, the label or
 * ignored, inferred from the cells and overridable by name.
 */
import { check, checkOptionNames, PretextError } from '../../util/errors';
import { closestNames } from '../../util/names';
import { missingTokens, parseCell, type RawTable } from './cells';

export type ColumnKind = 'numeric' | 'categorical' | 'label' | 'ignored';
const KINDS: readonly ColumnKind[] = ['numeric', 'categorical', 'label', 'ignored'];

export interface SchemaOptions {
  /** Per-column kind overrides by exact column name, e.g. { island: 'categorical' }. */
  columns?: Record<string, ColumnKind>;
  /** The label column (class per row); rows without a label are skipped and reported. */
  label?: string;
  /** Text columns with more distinct values than this are ignored unless overridden (default 30). */
  maxCategories?: number;
  /** Non-numeric, NaN or infinite cells in numeric columns: 'missing' (default) or 'reject'. */
  badValues?: 'missing' | 'reject';
  /** Extra strings that mean "no value" (always: '', NA, N/A, NaN, null, NULL, nan, ?). */
  missing?: string[];
}

export const SCHEMA_OPTION_NAMES = ['columns', 'label', 'maxCategories', 'badValues', 'missing'];
/** A column is numeric when at least this share of its present cells are numbers. */
const NUMERIC_SHARE = 0.9;

/** The inferred (or overridden) role of one column, with the counts that decided it. */
export interface ColumnPlan {
  name: string;
  kind: ColumnKind;
  /** Why this kind: "92% numbers", "7 categories", "3201 distinct texts: an id or free text". */
  reason: string;
  overridden: boolean;
  present: number;
  missing: number;
  distinct: number;
}

/** Throws a PretextError naming the closest real column when `name` is not a column. */
export function checkColumnName(name: string, columns: readonly string[], what: string): void {
  if (columns.includes(name)) {
    return;
  }
  const close = closestNames(name, columns, 3);
  throw new PretextError(
    `${what} names column '${name}', which the table does not have.`,
    `Did you mean ${close.map(c => `'${c}'`).join(' or ')}? Columns: ${columns.join(', ')}.`
  );
}

/** Decides each column's kind from its cells, then applies the user's overrides. */
export function planColumns(table: RawTable, options: SchemaOptions = {}): ColumnPlan[] {
  checkOptionNames('the table schema', options, SCHEMA_OPTION_NAMES);
  const maxCategories = options.maxCategories ?? 30;
  check(
    Number.isInteger(maxCategories) && maxCategories >= 2,
    `maxCategories must be an integer of at least 2, got ${String(maxCategories)}.`,
    'Pass e.g. maxCategories: 30.'
  );
  const overrides = options.columns ?? {};
  check(
    typeof overrides === 'object' && overrides !== null && !Array.isArray(overrides),
    'columns must be an object of column name → kind.',
    "Pass e.g. columns: { island: 'categorical', id: 'ignored' }."
  );
  for (const [name, kind] of Object.entries(overrides)) {
    checkColumnName(name, table.columns, 'The columns override');
    check(
      KINDS.includes(kind),
      `Column '${name}': unknown kind '${String(kind)}'.`,
      `Use one of: ${KINDS.join(', ')}.`
    );
  }
  const labels = [
    ...(options.label !== undefined ? [options.label] : []),
    ...Object.entries(overrides)
      .filter(([, kind]) => kind === 'label')
      .map(([name]) => name)
  ];
  if (options.label !== undefined) {
    checkColumnName(options.label, table.columns, 'label');
  }
  check(
    new Set(labels).size <= 1,
    `More than one label column: ${[...new Set(labels)].join(', ')}.`,
    'Name one label column (label: ...) and mark the others numeric, categorical or ignored.'
  );
  const label = labels[0];
  const missing = missingTokens(options.missing);

  return table.columns.map((name, c) => {
    let present = 0;
    let numbers = 0;
    const texts = new Set<string>();
    const values = new Set<string>();
    for (const row of table.rows) {
      const cell = parseCell(row[c], missing);
      if (cell.kind === 'missing') {
        continue;
      }
      present++;
      if (cell.kind === 'number') {
        numbers++;
        values.add(String(cell.value));
      } else {
        texts.add(cell.text);
        values.add(cell.text);
      }
    }
    const counts = { present, missing: table.rows.length - present, distinct: values.size };
    const kind = name === label ? 'label' : overrides[name];
    if (kind !== undefined) {
      const reason =
        kind === 'label' ? `label (${values.size} classes)` : `set to ${kind} by the caller`;
      return { name, kind, reason, overridden: true, ...counts };
    }
    const inferred = ((): { kind: ColumnKind; reason: string } => {
      if (present === 0) {
        return { kind: 'ignored', reason: 'every value is missing' };
      }
      if (values.size === 1) {
        return { kind: 'ignored', reason: 'constant: one distinct value' };
      }
      const share = numbers / present;
      if (share >= NUMERIC_SHARE) {
        return { kind: 'numeric', reason: `${Math.round(share * 100)}% of values are numbers` };
      }
      if (values.size <= maxCategories) {
        return { kind: 'categorical', reason: `text with ${values.size} distinct values` };
      }
      return {
        kind: 'ignored',
        reason: `text with ${values.size} distinct values (more than maxCategories ${maxCategories}): an id or free text`
      };
    })();
    return { name, ...inferred, overridden: false, ...counts };
  });
}
