/**
 * The data contracts of the Pretext outputs and their validators.
 *
 * The payloads are defined once, in the protocol module the kernel writes through
 * (`pretext/protocol`: types + JSON Schemas); here they are validated with ajv against those
 * schemas. Notebooks are untrusted input: a malformed output produces a message naming the
 * field and what was expected, which the renderer shows in place of the output. Payloads of
 * every protocol version so far read the same (a saved notebook without `version` is v0).
 * Pure module: no DOM, no JupyterLab.
 */
import {
  CHART_SCHEMA,
  DASHBOARD_SCHEMA,
  TABLE_SCHEMA,
  type CellValue,
  type ColumnFormat,
  type DashboardProgress,
  type JsonSchema,
  type TableColumn,
  type VegaLiteSpec
} from 'pretext/protocol';
import { schemaProblems } from '../validate';
import { Parsed, fail, isRecord, ok, readJsonObject } from './json';

export { RUN_STATUSES, isKnownStatus, type RunStatus } from 'pretext/protocol';
export type { CellValue, ColumnFormat, VegaLiteSpec } from 'pretext/protocol';

export interface IChartData {
  spec: VegaLiteSpec;
  title?: string;
}

export type IDashboardProgress = DashboardProgress;

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

export type ITableColumn = TableColumn;

export interface ITableData {
  title?: string;
  columns: ITableColumn[];
  rows: Array<Record<string, CellValue>>;
  caption?: string;
}

/** The payload as a JSON object that satisfies `schema`, or the first problem with it. */
function readPayload(data: unknown, schema: JsonSchema): Parsed<Record<string, unknown>> {
  const read = readJsonObject(data);
  if (!read.ok) {
    return read;
  }
  const problems = schemaProblems(schema, read.value);
  return problems.length > 0 ? fail(problems[0]) : read;
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

/**
 * Saved notebooks must replay offline and untrusted ones must not fetch, so data comes
 * inline; the chart's loader refuses URLs anyway, this says why. (A string spec, which
 * vega-embed would fetch as a URL, is refused by the schema.)
 */
function inlineSpec(spec: VegaLiteSpec, where: string): Parsed<VegaLiteSpec> {
  const url = findDataUrl(spec, where);
  if (url !== null) {
    return fail(
      `'${url}' is not supported: put the data inline ('values' or top-level 'datasets')`
    );
  }
  return ok(spec);
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function parseChartData(data: unknown): Parsed<IChartData> {
  const read = readPayload(data, CHART_SCHEMA);
  if (!read.ok) {
    return read;
  }
  const spec = inlineSpec(read.value.spec as VegaLiteSpec, 'spec');
  if (!spec.ok) {
    return spec;
  }
  return ok({ spec: spec.value, title: optionalText(read.value.title) });
}

const PROGRESS_FIELDS = [
  'epoch',
  'totalEpochs',
  'samplesPerSec',
  'etaSec',
  'elapsedSec',
  'budgetSec'
] as const;

export function parseDashboardData(data: unknown): Parsed<IDashboardData> {
  const read = readPayload(data, DASHBOARD_SCHEMA);
  if (!read.ok) {
    return read;
  }
  const record = read.value;
  const raw = record.progress as Record<string, unknown>;
  const progress: IDashboardProgress = {
    step: raw.step as number,
    totalSteps: raw.totalSteps as number
  };
  for (const key of PROGRESS_FIELDS) {
    if (typeof raw[key] === 'number') {
      progress[key] = raw[key];
    }
  }
  const metrics = isRecord(record.metrics)
    ? Object.entries(record.metrics).map(([name, value]): [string, number | null] => [
        name,
        typeof value === 'number' && Number.isFinite(value) ? value : null
      ])
    : [];
  const dashboard: IDashboardData = {
    title: optionalText(record.title) ?? '',
    status: record.status as string,
    progress,
    metrics,
    message: optionalText(record.message)
  };
  if (isRecord(record.chart)) {
    const spec = inlineSpec(record.chart.spec as VegaLiteSpec, 'chart.spec');
    if (!spec.ok) {
      return spec;
    }
    dashboard.chart = { spec: spec.value };
  }
  return ok(dashboard);
}

export function parseTableData(data: unknown): Parsed<ITableData> {
  const read = readPayload(data, TABLE_SCHEMA);
  if (!read.ok) {
    return read;
  }
  const record = read.value;
  const columns: ITableColumn[] = [];
  for (const raw of record.columns as Array<Record<string, unknown>>) {
    const name = raw.name as string;
    if (columns.some(existing => existing.name === name)) {
      return fail(`column name '${name}' is used twice`);
    }
    columns.push({
      name,
      label: optionalText(raw.label),
      format: (raw.format ?? undefined) as ColumnFormat | undefined
    });
  }
  const rows = (record.rows as Array<Record<string, unknown>>).map(row => {
    const cells: Record<string, CellValue> = {};
    for (const column of columns) {
      const cell = row[column.name];
      // The schema allows only strings, numbers, booleans (shown as text) and null here.
      cells[column.name] =
        cell === undefined || cell === null
          ? null
          : typeof cell === 'boolean'
            ? String(cell)
            : (cell as string | number);
    }
    return cells;
  });
  return ok({
    title: optionalText(record.title),
    columns,
    rows,
    caption: optionalText(record.caption)
  });
}
