/**
 * syncRuns(): makes the tracking server's copy of every local run complete (a run created
 * while the server was down, or one whose server died mid-run), idempotently: what was
 * uploaded is read from tracking.json and checked against the server, never sent twice.
 */
import { openRunStore, type Run } from '../runs/store';
import { checkOptionNames, PretextError } from '../util/errors';
import { MlflowClient } from './mlflow-client';
import type { RunStatusName } from './mlflow-runs';
import { experimentName, mlflowStatus, RunUploader, viewOfConfig } from './run-upload';
import { resolveTrackingUri, TRACKING_FIX } from './tracking-uri';

export interface SyncOptions {
  /** Tracking server URI (default: PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI, the setting). */
  tracking?: string;
  /** The local run store (default PRETEXT_RUNS or './runs'). */
  root?: string;
  /** Experiment for runs the server has not seen yet (default as for training). */
  experiment?: string;
  /** Only these local run ids (default: every run in the store). */
  runs?: string[];
}

export interface SyncedRun {
  runId: string;
  mlflowRunId: string;
  /** 'up to date' (nothing sent) or 'uploaded' (something was missing). */
  action: 'up to date' | 'uploaded';
  /** Step records uploaded by this call. */
  recordsUploaded: number;
  status: RunStatusName;
}

/** Opens (or finds) a local run's MLflow run and uploads everything it is missing. */
export async function syncRun(
  client: MlflowClient,
  run: Run,
  experiment?: string
): Promise<SyncedRun> {
  const uploader = new RunUploader(client, run.dir);
  const records = run.metrics();
  const status = mlflowStatus(run.summary?.status ?? 'unknown');
  const before = uploader.copy;
  if (
    before &&
    before.status === status &&
    status !== 'RUNNING' &&
    before.summaryUpdated === run.summary?.updated &&
    before.recordsUploaded === records.length
  ) {
    return {
      runId: run.id,
      mlflowRunId: before.mlflowRunId,
      action: 'up to date',
      recordsUploaded: 0,
      status
    };
  }
  const view = viewOfConfig(run.config, run.environment);
  await uploader.open(view, before?.experimentName ?? experimentName(experiment));
  await uploader.syncPosition(records);
  const start = uploader.copy!.recordsUploaded;
  await uploader.uploadRecords(records);
  await uploader.uploadRunFiles();
  await uploader.setStatus(status, run.summary?.updated);
  return {
    runId: run.id,
    mlflowRunId: uploader.copy!.mlflowRunId,
    action: 'uploaded',
    recordsUploaded: records.length - start,
    status
  };
}

/** Uploads to the tracking server whatever local runs (or parts of runs) it is missing. */
export async function syncRuns(options: SyncOptions = {}): Promise<SyncedRun[]> {
  checkOptionNames('syncRuns', options, ['tracking', 'root', 'experiment', 'runs']);
  const uri = resolveTrackingUri(options.tracking);
  if (!uri) {
    throw new PretextError(
      'syncRuns() has no tracking server: no tracking option, PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI or JupyterLab setting.',
      `To upload runs, ${TRACKING_FIX}.`
    );
  }
  const client = new MlflowClient(uri);
  const store = openRunStore(options.root);
  const ids = options.runs ?? store.list().map(r => r.id);
  const results: SyncedRun[] = [];
  for (const id of ids) {
    results.push(await syncRun(client, store.get(id), options.experiment));
  }
  return results;
}
