/**
 * Table schemas: which columns are numeric features, categorical features, the label or
 * ignored (inferred from the cells, overridable by name), and the encoder fitted on training
 * rows that turns raw rows into one float32 vector each.
 *
 * Encoding choices:
 * - numeric: standardised with the mean and standard deviation of the FIT rows only (so test
 *   rows never inform the scaling), after log1p for non-negative, strongly right-skewed columns
 *   (money, counts); a missing value becomes the training mean (0 after
 *   scaling) plus a 0/1 "missing" indicator column, so the model can still tell it was absent.
 * - categorical: one-hot, with a "(missing)" category when the fit rows have gaps and an
 *   "(other)" bucket past `maxCategories`. One-hot rather than embedding indices because every
 *   encoder here takes one flat float vector: one-hot keeps the MLP a single-input model and
 *   lets SCARF / VIME corrupt and reconstruct every column the same way. `groups` maps each
 *   encoded column to its source column, so corruption swaps a whole one-hot block at once.
 */
import type { Displayable, MimeBundle } from '../render/mime';
import { Table } from '../render/table';
import { check, checkOptionNames, PretextError } from '../util/errors';
import { closestNames } from '../util/names';
import type { DataReport } from './report';

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
const MISSING_TOKENS = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?'];
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(inf|infinity)$/i;
/** A column is numeric when at least this share of its present cells are numbers. */
const NUMERIC_SHARE = 0.9;

/** What a cell holds, once missing tokens and number syntax are recognised. */
export type ParsedCell =
  | { kind: 'missing' }
  | { kind: 'number'; value: number }
  | { kind: 'nonfinite'; text: string }
  | { kind: 'text'; text: string };

export function parseCell(cell: Cell, missing: ReadonlySet<string>): ParsedCell {
  if (cell === null || cell === undefined) return { kind: 'missing' };
  if (typeof cell === 'number') {
    return Number.isFinite(cell)
      ? { kind: 'number', value: cell }
      : { kind: 'nonfinite', text: String(cell) };
  }
  if (typeof cell === 'boolean') return { kind: 'text', text: String(cell) };
  const text = String(cell).trim();
  if (missing.has(text)) return { kind: 'missing' };
  if (NUMBER.test(text)) return { kind: 'number', value: Number(text) };
  if (NON_FINITE.test(text)) return { kind: 'nonfinite', text };
  return { kind: 'text', text };
}

export function missingTokens(extra: readonly string[] = []): Set<string> {
  return new Set([...MISSING_TOKENS, ...extra]);
}

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
  if (columns.includes(name)) return;
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
  if (options.label !== undefined) checkColumnName(options.label, table.columns, 'label');
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
      if (cell.kind === 'missing') continue;
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
      if (present === 0) return { kind: 'ignored', reason: 'every value is missing' };
      if (values.size === 1) return { kind: 'ignored', reason: 'constant: one distinct value' };
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

/** A fitted numeric column: standardised with training statistics. */
export interface NumericEncoding {
  kind: 'numeric';
  name: string;
  /** Mean and standard deviation of the (log1p-transformed, if `log`) training values. */
  mean: number;
  std: number;
  /** log1p before standardising: chosen for non-negative columns with skewness above 2. */
  log: boolean;
  /** Whether a 0/1 missing-indicator column follows the value column. */
  indicator: boolean;
}

/** A fitted categorical column: one-hot over `categories` (in this order). */
export interface CategoricalEncoding {
  kind: 'categorical';
  name: string;
  categories: string[];
}

export type ColumnEncoding = NumericEncoding | CategoricalEncoding;

export const MISSING_CATEGORY = '(missing)';
export const OTHER_CATEGORY = '(other)';

/** What `TableSchema.encode` produces for a set of raw rows. */
export interface EncodedRows {
  /** Row-major [rows, featureNames.length]. */
  values: Float32Array;
  /** Class index per kept row, when the schema has a label. */
  labels?: Int32Array;
  /** Source row index (0-based) of each kept row. */
  rows: Int32Array;
}

/**
 * The fitted schema: column plans plus the statistics learned from training rows. Encodes any
 * rows with the same columns (the training table, a test file, streamed CSV batches) the same
 * way, and shows itself as a table.
 */
export class TableSchema implements Displayable {
  /** One name per encoded column, e.g. 'Body Mass (g)', 'Body Mass (g) missing', 'Island=Dream'. */
  readonly featureNames: string[];
  /** Source-column index (0..features-1 over encoded columns) of each encoded column. */
  readonly groups: Int32Array;

  constructor(
    readonly plans: readonly ColumnPlan[],
    readonly encodings: readonly ColumnEncoding[],
    readonly label: { name: string; classNames: string[] } | undefined,
    readonly fittedRows: number,
    readonly options: { badValues: 'missing' | 'reject'; missing: string[]; maxCategories: number }
  ) {
    const names: string[] = [];
    const groups: number[] = [];
    encodings.forEach((e, g) => {
      const add = (n: string) => {
        names.push(n);
        groups.push(g);
      };
      if (e.kind === 'numeric') {
        add(e.name);
        if (e.indicator) add(`${e.name} missing`);
      } else {
        e.categories.forEach(category => add(`${e.name}=${category}`));
      }
    });
    this.featureNames = names;
    this.groups = Int32Array.from(groups);
  }

  get featureCount(): number {
    return this.featureNames.length;
  }

  /**
   * Encodes rows of `table` (matched to this schema by column name; a table without the label
   * column is encoded without labels). Rows with a missing or unknown label are skipped; bad cells are filled (or rejected) and every action is noted
   * in `report`, one issue per cell so the report's groups say which rows and columns.
   */
  encode(table: RawTable, report: DataReport, rowIndices?: ArrayLike<number>): EncodedRows {
    const missing = missingTokens(this.options.missing);
    const index = (name: string) => {
      checkColumnName(name, table.columns, `The fitted schema (data '${table.name}')`);
      return table.columns.indexOf(name);
    };
    const featureColumns = this.encodings.map(e => index(e.name));
    // New rows to embed often come without the label column: encode them unlabeled.
    const labelColumn =
      this.label && table.columns.includes(this.label.name) ? index(this.label.name) : -1;
    const classIndex = new Map(this.label?.classNames.map((c, i) => [c, i]));
    const width = this.featureCount;
    const selected = rowIndices ?? Array.from(table.rows.keys());
    const values = new Float32Array(selected.length * width);
    const labels: number[] = [];
    const kept: number[] = [];
    const rowName = (r: number) => table.rowNames?.[r] ?? `row ${r + 1}`;

    for (let k = 0; k < selected.length; k++) {
      const r = selected[k];
      const row = table.rows[r];
      if (labelColumn >= 0) {
        const cell = parseCell(row[labelColumn], missing);
        if (cell.kind === 'missing') {
          report.note(rowName(r), `no label in '${this.label!.name}'`, 'skipped');
          continue;
        }
        const name = cell.kind === 'number' ? String(cell.value) : cell.text;
        const cls = classIndex.get(name);
        if (cls === undefined) {
          report.note(rowName(r), `label '${name}' is not a class seen when fitting`, 'skipped');
          continue;
        }
        labels.push(cls);
      }
      const out = kept.length * width;
      let offset = 0;
      this.encodings.forEach((e, g) => {
        const cell = parseCell(row[featureColumns[g]], missing);
        if (e.kind === 'numeric') {
          let value: number | undefined;
          if (cell.kind === 'number') value = cell.value;
          else if (cell.kind === 'missing') {
            report.note(
              rowName(r),
              `missing '${e.name}': filled with the training mean${e.indicator ? ' and flagged' : ''}`,
              'filled'
            );
          } else {
            const what = cell.kind === 'nonfinite' ? 'NaN/infinite' : 'non-numeric';
            if (this.options.badValues === 'reject') {
              throw new PretextError(
                `${table.name}: ${what} value '${cell.text}' in numeric column '${e.name}', ${rowName(r)}.`,
                `Fix the cell, pass badValues: 'missing' to treat such cells as missing, or mark the column categorical: columns: { '${e.name}': 'categorical' }.`
              );
            }
            report.note(
              `${rowName(r)} ('${cell.text}')`,
              `${what} value in numeric '${e.name}': treated as missing`,
              'filled'
            );
          }
          // A negative value in a log column (unseen in training) is clamped to log1p(0).
          if (value !== undefined && e.log) value = Math.log1p(Math.max(0, value));
          values[out + offset] = value === undefined ? 0 : (value - e.mean) / e.std;
          if (e.indicator) values[out + offset + 1] = value === undefined ? 1 : 0;
          offset += e.indicator ? 2 : 1;
        } else {
          let category: string;
          if (cell.kind === 'missing') category = MISSING_CATEGORY;
          else category = cell.kind === 'number' ? String(cell.value) : cell.text;
          let at = e.categories.indexOf(category);
          if (at < 0 && category !== MISSING_CATEGORY) at = e.categories.indexOf(OTHER_CATEGORY);
          if (at >= 0) values[out + offset + at] = 1;
          if (category === MISSING_CATEGORY) {
            report.note(
              rowName(r),
              at >= 0
                ? `missing '${e.name}': category ${MISSING_CATEGORY}`
                : `missing '${e.name}': no ${MISSING_CATEGORY} category was fitted, all-zero one-hot`,
              'filled'
            );
          } else if (at < 0) {
            report.note(
              `${rowName(r)} ('${category}')`,
              `'${e.name}' category not seen when fitting: all-zero one-hot`,
              'converted'
            );
          }
          offset += e.categories.length;
        }
      });
      kept.push(r);
    }
    return {
      values: values.slice(0, kept.length * width),
      labels: labelColumn >= 0 ? Int32Array.from(labels) : undefined,
      rows: Int32Array.from(kept)
    };
  }

  /** One row per source column: kind, why, missing count and the fitted encoding. */
  toBundle(): MimeBundle {
    const byName = new Map(this.encodings.map(e => [e.name, e]));
    const rows = this.plans.map(p => {
      const e = byName.get(p.name);
      let encoding = '—';
      if (p.kind === 'label') encoding = `${this.label!.classNames.length} classes`;
      else if (e?.kind === 'numeric') {
        encoding = `${e.log ? 'log1p, then ' : ''}standardised (mean ${fmt(e.mean)}, std ${fmt(e.std)})${e.indicator ? ' + missing flag' : ''}`;
      } else if (e?.kind === 'categorical') {
        const shown = e.categories.slice(0, 4).join(', ');
        encoding = `one-hot ×${e.categories.length}: ${shown}${e.categories.length > 4 ? ', …' : ''}`;
      }
      return {
        column: p.name,
        kind: p.overridden ? `${p.kind} (set)` : p.kind,
        why: p.reason,
        missing: p.missing,
        distinct: p.distinct,
        encoding
      };
    });
    return new Table(
      [
        { name: 'column', format: 'text' },
        { name: 'kind', format: 'text' },
        { name: 'why', format: 'text' },
        { name: 'missing', format: 'number' },
        { name: 'distinct', format: 'number' },
        { name: 'encoding', format: 'text' }
      ],
      rows,
      'Table schema',
      `${this.featureCount} encoded features from ${this.encodings.length} columns; statistics fitted on ${this.fittedRows} training rows. Override kinds with columns: { name: 'numeric' | 'categorical' | 'label' | 'ignored' }.`
    ).toBundle();
  }

  /** Plain JSON (plans, statistics, classes): enough to rebuild the encoder for new data. */
  toJSON(): Record<string, unknown> {
    return {
      encodings: this.encodings,
      label: this.label,
      featureNames: this.featureNames,
      fittedRows: this.fittedRows,
      options: this.options
    };
  }
}

const fmt = (x: number) => String(Number(x.toPrecision(4)));

/** Skewness above which a non-negative numeric column is log-scaled. */
const LOG_SKEW = 2;

/** Sample skewness (third standardised moment); 0 for constant columns. */
export function skewness(xs: readonly number[]): number {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  let m2 = 0;
  let m3 = 0;
  for (const x of xs) {
    const d = x - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= n;
  m3 /= n;
  return m2 > 0 ? m3 / Math.pow(m2, 1.5) : 0;
}

/**
 * Fits the encoder on `fitRows` of `table` (default all rows): means, standard deviations,
 * which columns need a missing flag, category lists, and the label's classes (from every
 * labelled row, so a class rare enough to miss the training rows still has an index).
 */
export function fitSchema(
  table: RawTable,
  plans: readonly ColumnPlan[],
  options: SchemaOptions = {},
  fitRows?: ArrayLike<number>
): TableSchema {
  const missing = missingTokens(options.missing);
  const badValues = options.badValues ?? 'missing';
  check(
    badValues === 'missing' || badValues === 'reject',
    `badValues must be 'missing' or 'reject', got '${String(badValues)}'.`,
    "Use badValues: 'missing' to fill bad cells, or 'reject' to stop at the first one."
  );
  const maxCategories = options.maxCategories ?? 30;
  const rows = fitRows ?? Array.from(table.rows.keys());
  check(
    rows.length > 0,
    `${table.name}: no rows to fit the table encoder on.`,
    'Load a file with at least one data row below the header.'
  );
  const encodings: ColumnEncoding[] = [];
  let label: { name: string; classNames: string[] } | undefined;
  plans.forEach((plan, c) => {
    if (plan.kind === 'ignored') return;
    if (plan.kind === 'label') {
      const classes = new Set<string>();
      let numeric = true;
      for (const row of table.rows) {
        const cell = parseCell(row[c], missing);
        if (cell.kind === 'missing') continue;
        if (cell.kind !== 'number') numeric = false;
        classes.add(cell.kind === 'number' ? String(cell.value) : cell.text);
      }
      const classNames = [...classes].sort(
        numeric ? (a, b) => Number(a) - Number(b) : (a, b) => a.localeCompare(b)
      );
      check(
        classNames.length >= 2,
        `Label column '${plan.name}' has ${classNames.length === 0 ? 'no values' : `one class only ('${classNames[0]}')`}: there is nothing to classify.`,
        'Choose a label column with at least two classes, or load unlabeled data without label: ... .'
      );
      label = { name: plan.name, classNames };
      return;
    }
    if (plan.kind === 'numeric') {
      const seen: number[] = [];
      let gaps = false;
      for (let k = 0; k < rows.length; k++) {
        const cell = parseCell(table.rows[rows[k]][c], missing);
        if (cell.kind === 'number') seen.push(cell.value);
        else gaps = true;
      }
      check(
        seen.length > 0,
        `Numeric column '${plan.name}' has no numbers in the ${rows.length} training rows.`,
        `Mark it ignored or categorical: columns: { '${plan.name}': 'ignored' }.`
      );
      // Heavy right tails (money, counts) would squash most rows into a sliver near the mean
      // and let a few outliers dominate; log1p first when the values allow it and need it.
      const log = seen.every(v => v >= 0) && skewness(seen) > LOG_SKEW;
      const xs = log ? seen.map(Math.log1p) : seen;
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const variance = xs.reduce((a, b) => a + (b - mean) * (b - mean), 0) / xs.length;
      // A constant column scales by 1: its standardised value is 0, not a division by zero.
      const std =
        Math.sqrt(variance) > 1e-12 * Math.max(1, Math.abs(mean)) ? Math.sqrt(variance) : 1;
      encodings.push({ kind: 'numeric', name: plan.name, mean, std, log, indicator: gaps });
      return;
    }
    const counts = new Map<string, number>();
    let gaps = false;
    for (let k = 0; k < rows.length; k++) {
      const cell = parseCell(table.rows[rows[k]][c], missing);
      if (cell.kind === 'missing') {
        gaps = true;
        continue;
      }
      const text = cell.kind === 'number' ? String(cell.value) : cell.text;
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    // Most frequent first; beyond maxCategories the rest share one "(other)" column.
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    const categories = ranked.slice(0, maxCategories).map(([name]) => name);
    if (ranked.length > maxCategories) categories.push(OTHER_CATEGORY);
    if (gaps) categories.push(MISSING_CATEGORY);
    encodings.push({ kind: 'categorical', name: plan.name, categories });
  });
  check(
    encodings.length > 0,
    `${table.name}: no feature columns left (every column is the label or ignored).`,
    `Mark at least one column numeric or categorical, e.g. columns: { '${plans.find(p => p.kind === 'ignored')?.name ?? table.columns[0]}': 'categorical' }.`
  );
  return new TableSchema(plans, encodings, label, rows.length, {
    badValues,
    missing: options.missing ?? [],
    maxCategories
  });
}
