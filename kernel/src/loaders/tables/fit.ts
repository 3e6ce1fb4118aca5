/**
 * Fitting a table schema on training rows: means and standard deviations, log scaling of
 * skewed columns, missing-value flags, category lists and the label's classes.
 */
import { check } from '../../util/errors';
import { missingTokens, parseCell, type RawTable } from './cells';
import type { ColumnPlan, SchemaOptions } from './columns';
import { MISSING_CATEGORY, OTHER_CATEGORY, TableSchema, type ColumnEncoding } from './schema';

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
    if (plan.kind === 'ignored') {
      return;
    }
    if (plan.kind === 'label') {
      const classes = new Set<string>();
      let numeric = true;
      for (const row of table.rows) {
        const cell = parseCell(row[c], missing);
        if (cell.kind === 'missing') {
          continue;
        }
        if (cell.kind !== 'number') {
          numeric = false;
        }
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
        if (cell.kind === 'number') {
          seen.push(cell.value);
        } else {
          gaps = true;
        }
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
    if (ranked.length > maxCategories) {
      categories.push(OTHER_CATEGORY);
    }
    if (gaps) {
      categories.push(MISSING_CATEGORY);
    }
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
