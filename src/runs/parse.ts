/**
 * Reading the kernel's run store: one folder per run holding config.json (written first),
 * summary.json (rewritten as the run goes) and metrics.jsonl (appended per step), as the
 * protocol module (`pretext/protocol`) defines them. The files may be half-written,
 * hand-edited or from another version, so each is validated against its JSON Schema; a run
 * that cannot be read becomes an "unreadable" entry with the reason, never an exception that
 * would empty the whole list, and lesser problems become notes.
 * Pure module: no DOM, no JupyterLab.
 */
import {
  METRIC_RECORD_SCHEMA,
  PROTOCOL_VERSION,
  RUN_CONFIG_SCHEMA,
  RUN_STATUSES,
  RUN_SUMMARY_SCHEMA,
  STALE_HEARTBEAT_MS,
  runLabel as protocolRunLabel,
  versionOf,
  type JsonSchema
} from 'pretext/protocol';
import { isRecord } from '../renderers/json';
import { schemaProblems } from '../validate';

/**
 * The statuses the kernel writes, and 'interrupted', which readers derive for a 'running' run
 * whose process is gone; anything else is shown as text.
 */
export const KNOWN_STATUSES = RUN_STATUSES;

/**
 * A training kernel refreshes summary.json's heartbeat every few seconds between steps; one
 * older than this means the process is gone (the kernel's store uses the same limit).
 */
export { STALE_HEARTBEAT_MS };

/** Without a usable method a run cannot be listed or resumed: the one fatal config field. */
const METHOD_SCHEMA = (RUN_CONFIG_SCHEMA.properties as Record<string, JsonSchema>).method;

export interface IRunRecord {
  kind: 'run';
  /** The run's folder name (the kernel's run id). */
  id: string;
  name?: string;
  method: string;
  dataset: string;
  /** As stored; 'unknown' while there is no readable summary.json. */
  status: string;
  created: string;
  finalLoss: number | null;
  steps: number | null;
  epochs: number | null;
  seconds: number | null;
  message?: string;
  /** config.json as stored, for the details view. */
  config: Record<string, unknown>;
  /** summary.json as stored, or null. */
  summary: Record<string, unknown> | null;
  /** Problems that did not make the run unreadable (e.g. no summary yet). */
  notes: string[];
  /**
   * Where the run is: absent for a run only in the local run store; set for a run on the
   * tracking server, with `local` true when the same run is also in the local store
   * (src/runs/mlflow.ts maps them, src/runs/merge.ts merges them).
   */
  tracked?: ITrackedCopy;
}

/** A run's copy on the MLflow tracking server. */
export interface ITrackedCopy {
  /** The tracking server's host and port, e.g. '127.0.0.1:5000'. */
  host: string;
  /** The MLflow run id (32 hex digits). */
  mlflowRunId: string;
  experiment?: string;
  /** Whether the run is also in the local run store (then `id` is the local run id). */
  local: boolean;
}

export interface IUnreadableRun {
  kind: 'unreadable';
  id: string;
  /** Why, in words a user can act on. */
  reason: string;
}

export type RunEntry = IRunRecord | IUnreadableRun;

/** One line of metrics.jsonl; `loss` is null where the kernel stored NaN (JSON null). */
export interface IMetricPoint {
  step: number;
  epoch: number | null;
  loss: number | null;
  /** Every numeric field of the line (loss, lr, gradNorm, knn, ...). */
  values: Record<string, number>;
}

export interface IMetricsResult {
  points: IMetricPoint[];
  /** Lines that were not a metrics record (cut short by a crash, hand-edited). */
  skipped: number;
}

function parseJson(
  text: string,
  file: string
): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `${file} is not valid JSON (${(error as Error).message})` };
  }
}

function finiteOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}

/**
 * One run from the text of its config.json and summary.json (null: the file is absent).
 * `id` is the folder name, which wins over config.id (a copied folder keeps its old id).
 */
export function parseRun(
  id: string,
  configText: string | null,
  summaryText: string | null,
  now: number = Date.now()
): RunEntry {
  if (configText === null) {
    return {
      kind: 'unreadable',
      id,
      reason: 'no config.json (the run folder is incomplete, or not a Pretext run)'
    };
  }
  const config = parseJson(configText, 'config.json');
  if (!config.ok) {
    return { kind: 'unreadable', id, reason: config.error };
  }
  if (!isRecord(config.value)) {
    return { kind: 'unreadable', id, reason: 'config.json is not a JSON object' };
  }
  const raw = config.value;
  const methodProblem = schemaProblems(METHOD_SCHEMA, raw.method)[0];
  if (methodProblem !== undefined || typeof raw.method !== 'string') {
    return { kind: 'unreadable', id, reason: methodProblem ?? "config.json has no 'method'" };
  }
  const notes: string[] = schemaProblems(RUN_CONFIG_SCHEMA, raw).map(p => `config.json: ${p}`);
  if (versionOf(raw) > PROTOCOL_VERSION) {
    notes.push(
      `config.json is protocol version ${versionOf(raw)}, newer than this extension's ${PROTOCOL_VERSION}: update jupyterlab-pretext to see every field`
    );
  }
  let summary: Record<string, unknown> | null = null;
  if (summaryText === null) {
    notes.push('no summary.json yet (the run may be starting)');
  } else {
    const parsed = parseJson(summaryText, 'summary.json');
    if (!parsed.ok) {
      notes.push(parsed.error);
    } else if (!isRecord(parsed.value)) {
      notes.push('summary.json is not a JSON object');
    } else {
      summary = parsed.value;
      notes.push(...schemaProblems(RUN_SUMMARY_SCHEMA, summary).map(p => `summary.json: ${p}`));
    }
  }
  const dataset = isRecord(raw.dataset) ? raw.dataset.name : undefined;
  const name = typeof raw.name === 'string' && raw.name !== '' ? raw.name : undefined;
  let message = typeof summary?.message === 'string' ? summary.message : undefined;
  let status =
    typeof summary?.status === 'string' && summary.status !== '' ? summary.status : 'unknown';
  const beat = typeof summary?.heartbeat === 'string' ? Date.parse(summary.heartbeat) : NaN;
  if (status === 'running' && now - beat > STALE_HEARTBEAT_MS) {
    // The browser cannot ask whether the pid lives; a heartbeat this old says enough.
    const minutes = Math.round((now - beat) / 60000);
    status = 'interrupted';
    message = `The training process stopped ${minutes} minutes ago without finishing (its last heartbeat); resume it from its last checkpoint with train(task, data, { resume: '${id}' }).`;
    notes.push(`summary.json says running, but its heartbeat is ${minutes} minutes old`);
  }
  return {
    kind: 'run',
    id,
    ...(name !== undefined ? { name } : {}),
    method: raw.method,
    dataset: stringOr(dataset, ''),
    status,
    created: stringOr(raw.created, ''),
    finalLoss: finiteOrNull(summary?.finalLoss),
    steps: finiteOrNull(summary?.steps),
    epochs: finiteOrNull(summary?.epochs),
    seconds: finiteOrNull(summary?.seconds),
    ...(message !== undefined ? { message } : {}),
    config: raw,
    summary,
    notes
  };
}

/**
 * metrics.jsonl: one JSON object per line with at least a numeric `step`. Blank lines are
 * ignored; other bad lines (a record cut short by a crash) are counted, not fatal.
 */
export function parseMetrics(text: string): IMetricsResult {
  const points: IMetricPoint[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      continue;
    }
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (!isRecord(record) || schemaProblems(METRIC_RECORD_SCHEMA, record).length > 0) {
      skipped++;
      continue;
    }
    const values: Record<string, number> = {};
    for (const [key, value] of Object.entries(record)) {
      if (typeof value === 'number' && Number.isFinite(value)) {
        values[key] = value;
      }
    }
    points.push({
      step: record.step as number,
      epoch: finiteOrNull(record.epoch),
      loss: finiteOrNull(record.loss),
      values
    });
  }
  return { points, skipped };
}

/** How a run is named in lists and charts: its name with the id, or the id. */
export function runLabel(run: RunEntry): string {
  return protocolRunLabel(run.kind === 'run' ? run : { id: run.id });
}

/** Newest first by creation time (then id); unreadable runs after the readable ones. */
export function sortRuns(runs: readonly RunEntry[]): RunEntry[] {
  const key = (run: RunEntry): string => (run.kind === 'run' ? run.created : '');
  return [...runs].sort((a, b) => {
    if (a.kind !== b.kind) {
      return a.kind === 'run' ? -1 : 1;
    }
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) {
      return ka < kb ? 1 : -1;
    }
    return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
  });
}
