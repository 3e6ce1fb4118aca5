/**
 * CSV reading with papaparse (RFC 4180 quoting, delimiter detection, streaming in Node).
 * Cells stay strings here; the schema decides what is a number, so a stray "n/a" in a numeric
 * column is reported with its line instead of silently becoming NaN.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import Papa from 'papaparse';
import { tf, type Tensor2D } from '../../backend/tf';
import { check, checkOptionNames, PretextError } from '../../util/errors';
import { DataReport } from '../../data/report';
import type { Cell, RawTable } from './cells';
import type { TableSchema } from './schema';

export interface CsvOptions {
  /** Field delimiter (default: detected among , tab | ;). */
  delimiter?: string;
  /** Name for messages and the dataset (default: the file name). */
  name?: string;
}

/**
 * Turns the first row into unique column names (blank → column_3, repeats → name_2) and
 * notes every rename in the report.
 */
function headerNames(header: readonly string[], report: DataReport): string[] {
  const seen = new Set<string>();
  return header.map((raw, i) => {
    let name = String(raw ?? '').trim();
    if (name === '') {
      name = `column_${i + 1}`;
      report.note(`header field ${i + 1}`, `blank column name: named ${name}`, 'converted');
    }
    if (seen.has(name)) {
      let k = 2;
      while (seen.has(`${name}_${k}`)) {
        k++;
      }
      report.note(
        `header field ${i + 1}`,
        `duplicate column name '${name}': named ${name}_${k}`,
        'converted'
      );
      name = `${name}_${k}`;
    }
    seen.add(name);
    return name;
  });
}

/** Parses CSV text into a RawTable; rows with the wrong number of fields are skipped and reported. */
export function parseCsv(text: string, options: CsvOptions = {}): RawTable {
  checkOptionNames('parseCsv', options, ['delimiter', 'name']);
  const name = options.name ?? 'CSV';
  check(
    typeof text === 'string',
    `${name}: CSV text must be a string.`,
    'Pass the file contents as a string, or use readCsv(path).'
  );
  const report = new DataReport(name);
  check(
    text.trim().length > 0,
    `${name} is empty: no header and no rows.`,
    'Check the path and that the file was fully written; a CSV needs a header line and data rows.'
  );
  const parsed = Papa.parse<string[]>(text, {
    delimiter: options.delimiter,
    skipEmptyLines: 'greedy'
  });
  for (const error of parsed.errors) {
    // Field-count mismatches are handled below per row; other errors (unclosed quotes) are noted.
    if (error.type !== 'FieldMismatch') {
      report.note(`row ${(error.row ?? 0) + 1}`, `CSV syntax: ${error.message}`, 'converted');
    }
  }
  const [header, ...data] = parsed.data;
  const columns = headerNames(header, report);
  check(
    data.length > 0,
    `${name} has a header (${columns.join(', ')}) but no data rows.`,
    'Load a file with at least one row below the header.'
  );
  const rows: Cell[][] = [];
  const rowNames: string[] = [];
  data.forEach((fields, i) => {
    // papaparse reports no line numbers after skipping blank lines; data row i+1 is close enough.
    const where = `data row ${i + 1}`;
    if (fields.length !== columns.length) {
      report.note(where, `${fields.length} fields, the header has ${columns.length}`, 'skipped');
      return;
    }
    rows.push(fields);
    rowNames.push(where);
  });
  report.total = data.length;
  report.throwIfEmpty(
    rows.length,
    `Check the delimiter (pass delimiter: ';' or '\\t') and the header line of ${name}.`
  );
  return { name, columns, rows, report, rowNames };
}

function checkFile(path: string): void {
  check(
    typeof path === 'string',
    `A CSV path must be a string, got ${typeof path}.`,
    "Pass a path such as './data/table.csv'."
  );
  check(
    existsSync(path),
    `No such file: ${path}.`,
    'Check the path (relative paths start at the notebook folder).'
  );
  check(
    statSync(path).isFile(),
    `${path} is a folder, not a CSV file.`,
    'Pass the path of a .csv file.'
  );
}

/** Reads a whole CSV file (see readCsvBatches for files too large to hold at once). */
export function readCsv(path: string, options: CsvOptions = {}): RawTable {
  checkFile(path);
  const delimiter = options.delimiter ?? (path.endsWith('.tsv') ? '\t' : undefined);
  return parseCsv(readFileSync(path, 'utf8'), {
    ...options,
    delimiter,
    name: options.name ?? basename(path)
  });
}

export interface CsvBatchOptions {
  /** Rows per batch (default 4096). */
  batchRows?: number;
  /** The schema fitted on training rows; batches are encoded with its statistics. */
  schema: TableSchema;
  delimiter?: string;
}

/** One encoded chunk of a streamed CSV. */
export interface CsvBatch {
  /** [rows, features] float32, encoded with the fitted schema; the caller disposes it. */
  inputs: Tensor2D;
  labels?: Int32Array;
  /** 0-based data-row index (in the whole file) of each encoded row. */
  rows: Int32Array;
  /** What this batch skipped or filled. */
  report: DataReport;
}

/**
 * Rows of a CSV file as they are parsed, read in the file stream's chunks. papaparse's
 * chunk callback hands over all rows of a chunk at once (its NODE_STREAM_INPUT duplex emits
 * one stream event per row: 58-75 s for 200k rows on this machine, against ~3 s this way,
 * parsing and encoding included); the
 * parser is paused while `highWater` rows wait, so memory stays bounded by one batch.
 */
async function* parsedRows(
  path: string,
  delimiter: string | undefined,
  highWater: number
): AsyncGenerator<string[]> {
  const queue: string[][] = [];
  let done = false;
  let failure: unknown;
  let parser: Papa.Parser | undefined;
  let paused = false;
  let wake: (() => void) | undefined;
  const file = createReadStream(path, { encoding: 'utf8' });
  Papa.parse<string[]>(file, {
    delimiter,
    skipEmptyLines: 'greedy',
    chunk: (results, p) => {
      parser = p;
      for (const row of results.data) {
        queue.push(row);
      }
      if (queue.length >= highWater && !paused) {
        paused = true;
        p.pause();
      }
      wake?.();
    },
    complete: () => {
      done = true;
      wake?.();
    },
    error: (error: Error) => {
      failure = error;
      done = true;
      wake?.();
    }
  });
  let next = 0;
  try {
    for (;;) {
      if (next < queue.length) {
        yield queue[next++];
        continue;
      }
      // Drained: drop what was consumed, then resume the parser and wait for more.
      queue.length = 0;
      next = 0;
      if (done) {
        break;
      }
      await new Promise<void>(resolve => {
        wake = resolve;
        if (paused && parser) {
          paused = false;
          parser.resume();
        }
      });
      wake = undefined;
    }
  } finally {
    // A consumer that stops early (break) must not leave the file open.
    if (!done) {
      parser?.abort();
      file.destroy();
    }
  }
  if (failure) {
    throw new PretextError(
      `Reading ${basename(path)} failed: ${(failure as Error).message}`,
      'Check that the file is readable and is text (CSV).'
    );
  }
}

/**
 * Streams a CSV file through papaparse in chunks and yields encoded batches of
 * `batchRows` rows, never holding the whole file: memory stays at one batch however large the
 * file is. Encoding uses an already-fitted schema (fit it on a sample or a training file),
 * because statistics must come from training rows, not from whatever streams by.
 */
export async function* readCsvBatches(
  path: string,
  options: CsvBatchOptions
): AsyncGenerator<CsvBatch> {
  checkOptionNames('readCsvBatches', options, ['batchRows', 'schema', 'delimiter']);
  checkFile(path);
  const batchRows = options.batchRows ?? 4096;
  check(
    Number.isInteger(batchRows) && batchRows > 0,
    `batchRows must be a positive integer, got ${String(batchRows)}.`,
    'Pass e.g. batchRows: 4096.'
  );
  const { schema } = options;
  check(
    schema !== undefined && typeof schema.encode === 'function',
    'readCsvBatches needs a fitted schema to encode rows with.',
    "Load or fit training rows first, e.g. const t = loadTable(trainPath, { label: 'y' }), then pass schema: t.schema."
  );
  check(
    statSync(path).size > 0,
    `${basename(path)} is empty: no header and no rows.`,
    'Check the path and that the file was fully written.'
  );
  const delimiter = options.delimiter ?? (path.endsWith('.tsv') ? '\t' : undefined);
  const rowsIn = parsedRows(path, delimiter, batchRows);
  const name = basename(path);
  let columns: string[] | undefined;
  let pending: Cell[][] = [];
  let names: string[] = [];
  let numbers: number[] = [];
  let skipped: { where: string; problem: string }[] = [];
  let dataRow = 0;
  let first = 0;

  const flush = (): CsvBatch => {
    const report = new DataReport(`${name} rows ${first + 1}-${dataRow}`);
    for (const s of skipped) {
      report.note(s.where, s.problem, 'skipped');
    }
    const table: RawTable = { name, columns: columns!, rows: pending, report, rowNames: names };
    const encoded = schema.encode(table, report);
    const rows = Int32Array.from(encoded.rows, r => numbers[r]);
    const inputs = tf.tensor2d(encoded.values, [encoded.rows.length, schema.featureCount]);
    pending = [];
    names = [];
    numbers = [];
    skipped = [];
    first = dataRow;
    return { inputs, labels: encoded.labels, rows, report };
  };

  for await (const fields of rowsIn) {
    if (columns === undefined) {
      columns = headerNames(fields, new DataReport(name));
      continue;
    }
    dataRow++;
    const where = `data row ${dataRow}`;
    if (fields.length !== columns.length) {
      skipped.push({ where, problem: `${fields.length} fields, the header has ${columns.length}` });
    } else {
      pending.push(fields);
      names.push(where);
      numbers.push(dataRow - 1);
    }
    if (dataRow - first >= batchRows) {
      yield flush();
    }
  }
  check(
    columns !== undefined,
    `${name} is empty: no header and no rows.`,
    'Check the path and that the file was fully written.'
  );
  check(
    dataRow > 0,
    `${name} has a header but no data rows.`,
    'Load a file with at least one row below the header.'
  );
  if (dataRow > first) {
    yield flush();
  }
}
