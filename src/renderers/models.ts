/**
 * The data contracts of the Pretext outputs and their validators.
 *
 * Notebooks are untrusted input: every field is checked, and a malformed
 * output produces a message naming the field and what was expected, which the
 * renderer shows in place of the output. Pure module: no DOM, no JupyterLab.
 */
import { Parsed, fail, isRecord, ok, readJsonObject } from './json';

/** A Vega-Lite spec, kept opaque: vega-lite itself reports spec errors. */
export type VegaLiteSpec = Record<string, unknown>;

export interface IChartData {
  spec: VegaLiteSpec;
  title?: string;
}

export const RUN_STATUSES = ['running', 'done', 'stopped', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface IDashboardProgress {
  step: number;
  totalSteps: number;
  epoch?: number;
  totalEpochs?: number;
  samplesPerSec?: number;
  etaSec?: number;
  elapsedSec?: number;
}

export interface IDashboardData {
  title: string;
  /** The status as sent; unknown values (from a newer kernel) are kept as text. */
  status: string;
  progress: IDashboardProgress;
  /** Latest metric values in the order sent; null stands for NaN/Infinity (not JSON). */
  metrics: Array<[name: string, value: number | null]>;
  message?: string;
  chart?: { spec: VegaLiteSpec };
}

export type ColumnFormat = 'percent' | 'number' | 'text';
export type CellValue = string | number | null;

export interface ITableColumn {
  name: string;
  label?: string;
  format?: ColumnFormat;
}

export interface ITableData {
  title?: string;
  columns: ITableColumn[];
  rows: Array<Record<string, CellValue>>;
  caption?: string;
}

function optionalString(
  record: Record<string, unknown>,
  key: string,
  where: string
): Parsed<string | undefined> {
  const value = record[key];
  if (value === undefined || value === null) {
    return ok(undefined);
  }
  return typeof value === 'string' ? ok(value) : fail(`'${where}${key}' must be a string`);
}

function optionalNumber(
  record: Record<string, unknown>,
  key: string,
  where: string
): Parsed<number | undefined> {
  const value = record[key];
  if (value === undefined || value === null) {
    return ok(undefined);
  }
  return typeof value === 'number' && Number.isFinite(value)
    ? ok(value)
    : fail(`'${where}${key}' must be a finite number`);
}

function requiredNumber(
  record: Record<string, unknown>,
  key: string,
  where: string
): Parsed<number> {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value)
    ? ok(value)
    : fail(`'${where}${key}' must be a finite number`);
}

/**
 * Path of the first `data: {url}` in a spec, or null. Dataset values are not
 * walked: they are data, not spec, and can be long.
 */
function findDataUrl(node: unknown, path: string): string | null {
  if (Array.isArray(node)) {
    for (const [index, child] of node.entries()) {
      const found = findDataUrl(child, `${path}[${index}]`);
      if (found !== null) {
        return found;
      }
    }
    return null;
  }
  if (!isRecord(node)) {
    return null;
  }
  for (const [key, value] of Object.entries(node)) {
    const here = `${path}.${key}`;
    if (key === 'data' && isRecord(value) && typeof value.url === 'string') {
      return `${here}.url`;
    }
    if (key !== 'values' && key !== 'datasets') {
      const found = findDataUrl(value, here);
      if (found !== null) {
        return found;
      }
    }
  }
  return null;
}

function readSpec(value: unknown, where: string): Parsed<VegaLiteSpec> {
  // A string here would be taken by vega-embed as a URL to fetch: refuse it.
  if (!isRecord(value)) {
    return fail(`'${where}' must be a Vega-Lite spec object (got ${describe(value)})`);
  }
  // Saved notebooks must replay offline and untrusted ones must not fetch, so
  // data comes inline; the chart's loader refuses URLs anyway, this says why.
  const url = findDataUrl(value, where);
  if (url !== null) {
    return fail(
      `'${url}' is not supported: put the data inline ('values' or top-level 'datasets')`
    );
  }
  return ok(value);
}

function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : typeof value;
}

export function parseChartData(data: unknown): Parsed<IChartData> {
  const read = readJsonObject(data);
  if (!read.ok) {
    return read;
  }
  const spec = readSpec(read.value.spec, 'spec');
  if (!spec.ok) {
    return spec;
  }
  const title = optionalString(read.value, 'title', '');
  if (!title.ok) {
    return title;
  }
  return ok({ spec: spec.value, title: title.value });
}

function parseProgress(value: unknown): Parsed<IDashboardProgress> {
  if (!isRecord(value)) {
    return fail("'progress' must be an object with 'step' and 'totalSteps'");
  }
  const step = requiredNumber(value, 'step', 'progress.');
  if (!step.ok) {
    return step;
  }
  const totalSteps = requiredNumber(value, 'totalSteps', 'progress.');
  if (!totalSteps.ok) {
    return totalSteps;
  }
  const progress: IDashboardProgress = { step: step.value, totalSteps: totalSteps.value };
  const optional = ['epoch', 'totalEpochs', 'samplesPerSec', 'etaSec', 'elapsedSec'] as const;
  for (const key of optional) {
    const field = optionalNumber(value, key, 'progress.');
    if (!field.ok) {
      return field;
    }
    if (field.value !== undefined) {
      progress[key] = field.value;
    }
  }
  return ok(progress);
}

function parseMetrics(value: unknown): Parsed<Array<[string, number | null]>> {
  if (value === undefined || value === null) {
    return ok([]);
  }
  if (!isRecord(value)) {
    return fail("'metrics' must be an object mapping metric names to numbers");
  }
  const metrics: Array<[string, number | null]> = [];
  for (const [name, metric] of Object.entries(value)) {
    if (metric !== null && !(typeof metric === 'number' && Number.isFinite(metric))) {
      return fail(`metric '${name}' must be a number or null (got ${describe(metric)})`);
    }
    metrics.push([name, metric]);
  }
  return ok(metrics);
}

export function parseDashboardData(data: unknown): Parsed<IDashboardData> {
  const read = readJsonObject(data);
  if (!read.ok) {
    return read;
  }
  const record = read.value;
  const title = optionalString(record, 'title', '');
  if (!title.ok) {
    return title;
  }
  if (typeof record.status !== 'string' || record.status === '') {
    return fail(`'status' must be one of ${RUN_STATUSES.join(', ')}`);
  }
  const progress = parseProgress(record.progress);
  if (!progress.ok) {
    return progress;
  }
  const metrics = parseMetrics(record.metrics);
  if (!metrics.ok) {
    return metrics;
  }
  const message = optionalString(record, 'message', '');
  if (!message.ok) {
    return message;
  }
  const dashboard: IDashboardData = {
    title: title.value ?? '',
    status: record.status,
    progress: progress.value,
    metrics: metrics.value,
    message: message.value
  };
  if (record.chart !== undefined && record.chart !== null) {
    if (!isRecord(record.chart)) {
      return fail("'chart' must be an object with a 'spec'");
    }
    const spec = readSpec(record.chart.spec, 'chart.spec');
    if (!spec.ok) {
      return spec;
    }
    dashboard.chart = { spec: spec.value };
  }
  return ok(dashboard);
}

/** Whether a status has its own badge style; others are shown neutrally. */
export function isKnownStatus(status: string): status is RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(status);
}

const COLUMN_FORMATS: readonly string[] = ['percent', 'number', 'text'];

function parseColumn(value: unknown, index: number): Parsed<ITableColumn> {
  if (!isRecord(value) || typeof value.name !== 'string' || value.name === '') {
    return fail(`column ${index + 1} must be an object with a non-empty 'name'`);
  }
  const label = optionalString(value, 'label', `columns[${index}].`);
  if (!label.ok) {
    return label;
  }
  const format = value.format;
  if (format !== undefined && format !== null) {
    if (typeof format !== 'string' || !COLUMN_FORMATS.includes(format)) {
      return fail(`column '${value.name}': 'format' must be one of ${COLUMN_FORMATS.join(', ')}`);
    }
  }
  return ok({
    name: value.name,
    label: label.value,
    format: (format ?? undefined) as ColumnFormat | undefined
  });
}

export function parseTableData(data: unknown): Parsed<ITableData> {
  const read = readJsonObject(data);
  if (!read.ok) {
    return read;
  }
  const record = read.value;
  if (!Array.isArray(record.columns) || record.columns.length === 0) {
    return fail("'columns' must be a non-empty array of {name, label?, format?}");
  }
  const columns: ITableColumn[] = [];
  for (const [index, value] of record.columns.entries()) {
    const column = parseColumn(value, index);
    if (!column.ok) {
      return column;
    }
    if (columns.some(existing => existing.name === column.value.name)) {
      return fail(`column name '${column.value.name}' is used twice`);
    }
    columns.push(column.value);
  }
  if (!Array.isArray(record.rows)) {
    return fail("'rows' must be an array of objects keyed by column name");
  }
  const rows: Array<Record<string, CellValue>> = [];
  for (const [index, row] of record.rows.entries()) {
    if (!isRecord(row)) {
      return fail(`row ${index + 1} must be an object keyed by column name`);
    }
    const cells: Record<string, CellValue> = {};
    for (const column of columns) {
      const cell = row[column.name];
      if (cell === undefined || cell === null) {
        cells[column.name] = null;
      } else if (typeof cell === 'string' || (typeof cell === 'number' && Number.isFinite(cell))) {
        cells[column.name] = cell;
      } else if (typeof cell === 'boolean') {
        cells[column.name] = String(cell);
      } else {
        return fail(
          `row ${index + 1}, column '${column.name}': expected a string, number or null (got ${describe(cell)})`
        );
      }
    }
    rows.push(cells);
  }
  const title = optionalString(record, 'title', '');
  if (!title.ok) {
    return title;
  }
  const caption = optionalString(record, 'caption', '');
  if (!caption.ok) {
    return caption;
  }
  return ok({ title: title.value, columns, rows, caption: caption.value });
}
