/**
 * The fitted table schema: the encoder, fitted on training rows by fit.ts, that turns raw
 * rows into one float32 vector each (kinds: columns.ts; cells: cells.ts).
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
import type { DataReport } from '../../data/report';
import type { Displayable, MimeBundle } from '../../render/mime';
import { PretextError } from '../../util/errors';
import { missingTokens, parseCell, type RawTable } from './cells';
import { checkColumnName, type ColumnPlan } from './columns';
import { schemaTable } from './schema-table';

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
        if (e.indicator) {
          add(`${e.name} missing`);
        }
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
          if (cell.kind === 'number') {
            value = cell.value;
          } else if (cell.kind === 'missing') {
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
          if (value !== undefined && e.log) {
            value = Math.log1p(Math.max(0, value));
          }
          values[out + offset] = value === undefined ? 0 : (value - e.mean) / e.std;
          if (e.indicator) {
            values[out + offset + 1] = value === undefined ? 1 : 0;
          }
          offset += e.indicator ? 2 : 1;
        } else {
          let category: string;
          if (cell.kind === 'missing') {
            category = MISSING_CATEGORY;
          } else {
            category = cell.kind === 'number' ? String(cell.value) : cell.text;
          }
          let at = e.categories.indexOf(category);
          if (at < 0 && category !== MISSING_CATEGORY) {
            at = e.categories.indexOf(OTHER_CATEGORY);
          }
          if (at >= 0) {
            values[out + offset + at] = 1;
          }
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
    return schemaTable(this).toBundle();
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
