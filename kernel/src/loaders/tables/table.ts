/**
 * Tables as datasets: load a CSV file, a JSON file of records or an in-memory array of records,
 * infer which columns are features and which is the label, encode the rows as one float32
 * vector each and say what was filled or skipped on the way. `splitTable` refits the encoder
 * on the pretraining pool only, so test rows never shape the scaling.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { tf, type Tensor2D } from '../../backend/tf';
import { check, checkOptionNames, PretextError } from '../../util/errors';
import { closestNames } from '../../util/names';
import { readCsv } from './csv';
import {
  disposeDataset,
  splitForSsl,
  type Dataset,
  type SplitOptions,
  type SslSplit
} from '../../data/dataset';
import { DataReport } from '../../data/report';
import type { Cell, RawTable } from './cells';
import { planColumns, SCHEMA_OPTION_NAMES, type ColumnPlan, type SchemaOptions } from './columns';
import { fitSchema } from './fit';
import type { TableSchema } from './schema';

export interface TableOptions extends SchemaOptions {
  /** Dataset name (default: the file name, or 'records'). */
  name?: string;
  /** CSV field delimiter (default: detected). */
  delimiter?: string;
}

/** A table encoded for training: rows [N, features] plus what made them. */
export interface TabularDataset extends Dataset<Tensor2D> {
  /** Column kinds and the fitted encoder; `await show(data.schema)` displays it. */
  readonly schema: TableSchema;
  /** Everything parsing and encoding skipped, filled or converted; `data.report.show()`. */
  readonly report: DataReport;
  /** The parsed rows, kept so the encoder can be refitted on training rows only. */
  readonly table: RawTable;
  /** Row of `table` behind each example. */
  readonly sourceRows: Int32Array;
}

const OPTION_NAMES = [...SCHEMA_OPTION_NAMES, 'name', 'delimiter'];

/** Path of a data file shipped in the `vega-datasets` npm package, e.g. vegaData('penguins.json'). */
export function vegaData(file: string): string {
  // The package exports only its entry point (build/index.js); the data folder sits beside build/.
  const folder = join(dirname(require.resolve('vega-datasets')), '..', 'data');
  const path = join(folder, String(file));
  if (!existsSync(path) || basename(path) !== String(file)) {
    const files = readdirSync(folder).filter(f => /\.(csv|tsv|json)$/.test(f));
    throw new PretextError(
      `vega-datasets has no file '${String(file)}'.`,
      `Did you mean ${closestNames(String(file), files, 3)
        .map(f => `'${f}'`)
        .join(' or ')}?`
    );
  }
  return path;
}

/**
 * Records (objects) as a RawTable: columns in order of first appearance, an absent key is a
 * missing cell, nested objects become JSON text (reported), non-objects are skipped.
 */
export function fromRecords(records: readonly unknown[], name = 'records'): RawTable {
  check(
    Array.isArray(records),
    `${name}: expected an array of records (objects), got ${records === null ? 'null' : typeof records}.`,
    'Pass e.g. [{ a: 1, b: "x" }, { a: 2, b: "y" }], or a path to a .csv or .json file.'
  );
  check(records.length > 0, `${name} is empty: no records.`, 'Pass at least one record.');
  const report = new DataReport(name);
  const columns: string[] = [];
  const known = new Set<string>();
  const objects: { row: number; record: Record<string, unknown> }[] = [];
  records.forEach((record, r) => {
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      report.note(
        `row ${r + 1}`,
        `not an object (${Array.isArray(record) ? 'array' : String(record)})`,
        'skipped'
      );
      return;
    }
    objects.push({ row: r, record: record as Record<string, unknown> });
    for (const key of Object.keys(record)) {
      if (!known.has(key)) {
        known.add(key);
        columns.push(key);
      }
    }
  });
  report.total = records.length;
  report.throwIfEmpty(objects.length, 'Pass an array of objects, one per row.');
  const rows: Cell[][] = [];
  const rowNames: string[] = [];
  for (const { row, record } of objects) {
    rows.push(
      columns.map(column => {
        const value = record[column];
        if (value === null || value === undefined) {
          return null;
        }
        if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
          return value;
        }
        report.note(
          `row ${row + 1}`,
          `'${column}' holds a ${typeof value}: kept as JSON text`,
          'converted'
        );
        return JSON.stringify(value);
      })
    );
    rowNames.push(`row ${row + 1}`);
  }
  return { name, columns, rows, report, rowNames };
}

function readSource(
  source: string | RawTable | readonly unknown[],
  options: TableOptions
): RawTable {
  if (Array.isArray(source)) {
    return fromRecords(source, options.name ?? 'records');
  }
  if (typeof source === 'string') {
    const ext = extname(source).toLowerCase();
    if (ext === '.json') {
      check(
        existsSync(source),
        `No such file: ${source}.`,
        'Check the path (relative paths start at the notebook folder).'
      );
      const text = readFileSync(source, 'utf8');
      check(
        text.trim().length > 0,
        `${basename(source)} is empty.`,
        'Check that the file was fully written.'
      );
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new PretextError(
          `${basename(source)} is not valid JSON: ${(error as Error).message}`,
          'Fix the file, or save the table as CSV and load that.'
        );
      }
      check(
        Array.isArray(parsed),
        `${basename(source)} holds a JSON ${typeof parsed}, not an array of records.`,
        'A JSON table must be an array of objects, one per row.'
      );
      return fromRecords(parsed, options.name ?? basename(source));
    }
    check(
      ext === '.csv' || ext === '.tsv' || ext === '.txt',
      `Cannot tell the format of '${source}' (extension '${ext}').`,
      'Load a .csv, .tsv or .json file, or pass an array of records.'
    );
    return readCsv(source, { name: options.name, delimiter: options.delimiter });
  }
  const table = source as RawTable;
  check(
    table !== null &&
      typeof table === 'object' &&
      Array.isArray(table.columns) &&
      Array.isArray(table.rows),
    `loadTable: expected a file path, an array of records or a parsed table, got ${source === null ? 'null' : typeof source}.`,
    "Pass e.g. vegaData('penguins.json') or './data.csv'."
  );
  return table;
}

/** Encodes `rows` of `table` with `schema` into a dataset (internal to loadTable and splitTable). */
function encodeDataset(
  table: RawTable,
  plans: readonly ColumnPlan[],
  schemaOptions: SchemaOptions,
  fitRows: ArrayLike<number> | undefined,
  rows: ArrayLike<number> | undefined
): TabularDataset {
  const schema = fitSchema(table, plans, schemaOptions, fitRows);
  // A fresh report per encoding, starting with what parsing already found.
  const report = new DataReport(table.name);
  for (const issue of table.report.issues) {
    report.note(issue.source, issue.problem, issue.action);
  }
  const encoded = schema.encode(table, report, rows);
  report.throwIfEmpty(
    encoded.rows.length,
    'Every row was skipped: check the label column and the report above.'
  );
  return {
    name: table.name,
    inputs: tf.tensor2d(encoded.values, [encoded.rows.length, schema.featureCount]),
    labels: encoded.labels,
    classNames: schema.label?.classNames,
    schema,
    report,
    table,
    sourceRows: encoded.rows
  };
}

/**
 * Loads a table and encodes it: `source` is a path (.csv, .tsv, .json array of records), an
 * array of records or a parsed RawTable. Column kinds are inferred (show them with
 * `await show(data.schema)`) and overridable: loadTable(path, { label: 'species', columns:
 * { island: 'categorical', id: 'ignored' } }). The encoder is fitted on all rows here; for
 * evaluation use splitTable, which refits it on the pretraining pool only.
 */
export function loadTable(
  source: string | RawTable | readonly unknown[],
  options: TableOptions = {}
): TabularDataset {
  check(
    typeof options === 'object' && options !== null,
    'loadTable options must be an object.',
    "Pass e.g. { label: 'species' }."
  );
  checkOptionNames('loadTable', options, OPTION_NAMES);
  const table = readSource(source, options);
  const schemaOptions: SchemaOptions = {
    columns: options.columns,
    label: options.label,
    maxCategories: options.maxCategories,
    badValues: options.badValues,
    missing: options.missing
  };
  const plans = planColumns(table, schemaOptions);
  return encodeDataset(table, plans, schemaOptions, undefined, undefined);
}

/**
 * splitForSsl for tables, without leakage: the split is drawn (seeded, class-stratified), the
 * encoder is refitted on the pretraining pool's rows only (means, standard deviations, category
 * lists, which columns get a missing flag), and every row is re-encoded with it. Returns the
 * refitted dataset (pass it to labelEfficiency) and the split of it; `data` is left as it was.
 */
export function splitTable(
  data: TabularDataset,
  options: SplitOptions = {}
): { data: TabularDataset; split: SslSplit<Tensor2D> } {
  check(
    data !== null &&
      typeof data === 'object' &&
      data.schema !== undefined &&
      data.table !== undefined,
    'splitTable needs a dataset from loadTable (it refits the table encoder).',
    'Use splitForSsl(data) for other datasets.'
  );
  const draft = splitForSsl(data, options);
  const pool = Int32Array.from(draft.indices.unlabeled, i => data.sourceRows[i]);
  for (const part of [draft.unlabeled, draft.labeled, draft.test]) {
    disposeDataset(part);
  }
  const { plans } = data.schema;
  const refit = encodeDataset(data.table, plans, data.schema.options, pool, data.sourceRows);
  // Same labels and seed give the same split; the check guards that promise.
  const split = splitForSsl(refit, options);
  check(
    split.indices.test.every((v, i) => v === draft.indices.test[i]),
    'splitTable: the split changed after refitting (labels differ between encodings).',
    'Report this as a bug; as a workaround use splitForSsl on the loaded table.'
  );
  return { data: refit, split };
}
