/**
 * The tracking server's runs as the runs browser shows them: each MLflow run of the server
 * extension's reply (src/runs/tracking-reply.ts) mapped onto the protocol's run shapes
 * (`pretext/protocol`: RunConfig, RunSummary) as an IRunRecord, a run's source badge and
 * tooltip, and the one quiet line that says which server is read, or why its runs are
 * missing. The only place that knows MLflow's statuses and names; merging with the local
 * runs is src/runs/merge.ts. Pure module: no DOM, no JupyterLab.
 */
import type { RunConfig, RunStatus, RunSummary } from 'pretext/protocol';
import { IRunRecord, RunEntry } from './parse';
import { ITrackingReply, ITrackingRunRow } from './tracking-reply';

/** What the runs browser says about the tracking server, in one quiet line. */
export interface ITrackingState {
  /** Whether the server's runs are in the list. */
  available: boolean;
  line: string;
}

/** MLflow's run statuses in the protocol's words (RUN_STATUSES). */
const STATUSES: Record<string, RunStatus> = {
  RUNNING: 'running',
  SCHEDULED: 'running',
  FINISHED: 'done',
  FAILED: 'failed',
  KILLED: 'stopped'
};

/** A protocol status for MLflow's; an unknown one is kept, in lower case, as text. */
export function protocolStatus(status: string | null): string {
  if (status === null) {
    return 'unknown';
  }
  return STATUSES[status] ?? status.toLowerCase();
}

function isoTime(ms: number | null): string {
  return ms === null ? '' : new Date(ms).toISOString();
}

/**
 * One MLflow run as a run record: config and summary shaped like the kernel's config.json and
 * summary.json (as far as MLflow knows them), so the details view, filters and Compare treat
 * it like a local run. Runs that are not Pretext's (no pretext.method tag) keep MLflow's name.
 */
export function mlflowRunToRecord(row: ITrackingRunRow, host: string): IRunRecord {
  const method = row.method ?? 'unknown';
  const created = isoTime(row.created);
  const seconds =
    row.created !== null && row.ended !== null
      ? Math.max(0, (row.ended - row.created) / 1000)
      : null;
  const status = protocolStatus(row.status);
  const config: Partial<RunConfig> & Record<string, unknown> = {
    id: row.localRunId ?? row.id,
    ...(row.name !== null ? { name: row.name } : {}),
    method,
    created,
    ...(row.dataset !== null ? { dataset: { name: row.dataset, size: 0, shape: [] } } : {}),
    mlflow: { host, runId: row.id, experiment: row.experiment, metrics: row.metrics }
  };
  const summary: Partial<RunSummary> & Record<string, unknown> = {
    status: status as RunStatus,
    finalLoss: row.finalLoss,
    ...(row.steps !== null ? { steps: row.steps } : {}),
    ...(seconds !== null ? { seconds } : {}),
    ...(row.ended !== null ? { updated: isoTime(row.ended) } : {})
  };
  return {
    kind: 'run',
    id: row.id,
    ...(row.name !== null ? { name: row.name } : {}),
    method,
    dataset: row.dataset ?? '',
    status,
    created,
    finalLoss: row.finalLoss,
    steps: row.steps,
    epochs: null,
    seconds,
    config,
    summary,
    notes: row.method === null ? ['not a Pretext run (no pretext.method tag on the server)'] : [],
    tracked: {
      host,
      mlflowRunId: row.id,
      ...(row.experiment !== null ? { experiment: row.experiment } : {}),
      local: false
    }
  };
}

/** Where a run is listed from: 'local', 'mlflow' (the server only) or 'both'. */
export function runSource(run: RunEntry): 'local' | 'mlflow' | 'both' {
  if (run.kind !== 'run' || run.tracked === undefined) {
    return 'local';
  }
  return run.tracked.local ? 'both' : 'mlflow';
}

/** The row's source badge: 'local', 'MLflow · 127.0.0.1:5000', 'local + MLflow · ...'. */
export function sourceLabel(run: RunEntry): string {
  const source = runSource(run);
  if (source === 'local' || run.kind !== 'run' || run.tracked === undefined) {
    return 'local';
  }
  return `${source === 'both' ? 'local + MLflow' : 'MLflow'} · ${run.tracked.host}`;
}

/** The source badge's tooltip: which MLflow run on which server, or the local store. */
export function sourceTitle(run: RunEntry): string {
  const source = runSource(run);
  return run.kind === 'run' && run.tracked !== undefined
    ? `MLflow run ${run.tracked.mlflowRunId}${run.tracked.experiment ? ` in experiment ${run.tracked.experiment}` : ''} on ${run.tracked.host}${source === 'both' ? ', also in the local run store' : ''}`
    : 'In the local run store';
}

/** How the URI's source reads in the quiet line. */
function fromWhere(source: string | null): string {
  if (source === 'settings') {
    return 'from settings';
  }
  return source === null ? 'source unknown' : `from ${source}`;
}

/**
 * The quiet line under the runs list: "MLflow at 127.0.0.1:5000 (from settings): 3 runs", or
 * why the server's runs are missing, in words with the fix.
 */
export function trackingState(reply: ITrackingReply): ITrackingState {
  const where = reply.host !== null ? ` at ${reply.host} (${fromWhere(reply.uriSource)})` : '';
  if (reply.available) {
    const count = reply.runs.length;
    return { available: true, line: `MLflow${where}: ${count} run${count === 1 ? '' : 's'}` };
  }
  const why = reply.problem ?? 'the tracking server could not be read.';
  return { available: false, line: `No MLflow runs${where}: ${why}` };
}

/** The quiet line when the server extension itself cannot be asked. */
export function extensionMissingState(status: number | undefined, message: string): ITrackingState {
  if (status === 404) {
    return {
      available: false,
      line: 'No MLflow runs: the Pretext server extension is not enabled (jupyter server extension enable jupyterlab_pretext.server, then restart Jupyter).'
    };
  }
  return {
    available: false,
    line: `No MLflow runs: the Pretext server extension failed (${message}).`
  };
}
