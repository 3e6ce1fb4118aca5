/**
 * The MLflow tracking callback: every run is also an MLflow run (params, per-step metrics in
 * batches, tags, the run's files as artifacts). Uploads run in the background so a step never
 * waits on the network, and nothing here can fail training: when the server is unreachable
 * the callback says once that tracking is behind, retries now and then, and syncRuns() later
 * uploads what is missing from the local run folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendInfo } from '../../backend/tf';
import type { MetricRecord } from '../../runs/store';
import type { TrainCallback, TrainContext, TrainEnd } from './callback';
import { optionsForRecord } from '../options';
import { checkOptionNames, PretextError } from '../../util/errors';
import { MlflowClient } from '../../tracking/mlflow-client';
import { experimentName, mlflowStatus, RunUploader, type RunView } from '../../tracking/run-upload';
import { readJson } from '../../runs/files';
import { resolveTrackingUri, TRACKING_FIX } from '../../tracking/tracking-uri';

export interface MlflowCallbackOptions {
  /** Tracking server URI (default: PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI, the setting). */
  tracking?: string;
  /** Experiment name (default MLFLOW_EXPERIMENT_NAME, the notebook's name, or 'pretext'). */
  experiment?: string;
  /** Upload once this many step records are waiting (default 200)... */
  flushEvery?: number;
  /** ...or once this many seconds passed since the last upload (default 15). */
  flushSeconds?: number;
  /** Also upload each checkpoint as artifacts under checkpoints/ (default false). */
  logCheckpoints?: boolean;
  /**
   * Milliseconds before one call is given up (default 15000). Uploads run beside training, so
   * this only bounds how long the end of a run waits for a server that hangs.
   */
  timeoutMs?: number;
  /** Where the 'tracking is behind' lines go (default console.log). */
  log?: (line: string) => void;
}

/** What the callback did, for tests and the overhead measurements. */
export interface MlflowCallbackStats {
  calls: number;
  behind: boolean;
  mlflowRunId?: string;
  recordsUploaded: number;
}

export interface MlflowCallback extends TrainCallback {
  readonly stats: MlflowCallbackStats;
}

const RETRY_MS = 10_000;

function viewOf(ctx: TrainContext): RunView {
  const config = ctx.runDir
    ? readJson<{ name?: string; task?: Record<string, unknown> }>(
        path.join(ctx.runDir, 'config.json')
      )
    : undefined;
  const environment = ctx.runDir
    ? readJson<Record<string, unknown>>(path.join(ctx.runDir, 'environment.json'))
    : undefined;
  const name = ctx.options.runName ?? config?.name;
  return {
    ...(ctx.runId ? { id: ctx.runId } : {}),
    ...(name ? { name } : {}),
    method: ctx.task.method,
    task: config?.task ?? ctx.task.config(),
    options: optionsForRecord(ctx.options),
    dataset: ctx.dataset,
    seed: ctx.options.seed,
    environment: environment ?? { ...backendInfo(), node: process.version }
  };
}

export function mlflowCallback(options: MlflowCallbackOptions = {}): MlflowCallback {
  checkOptionNames('mlflowCallback', options, [
    'tracking',
    'experiment',
    'flushEvery',
    'flushSeconds',
    'logCheckpoints',
    'timeoutMs',
    'log'
  ]);
  const uri = resolveTrackingUri(options.tracking);
  if (!uri) {
    throw new PretextError(
      'mlflowCallback() has no tracking server: no tracking option, PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI or JupyterLab setting.',
      `To track on MLflow, ${TRACKING_FIX}.`
    );
  }
  const client = new MlflowClient(uri, { timeoutMs: options.timeoutMs ?? 15_000 });
  const flushEvery = options.flushEvery ?? 200;
  const flushMs = (options.flushSeconds ?? 15) * 1000;
  const log = options.log ?? ((line: string) => console.log(line));
  const stats: MlflowCallbackStats = { calls: 0, behind: false, recordsUploaded: 0 };
  let uploader: RunUploader | undefined;
  let view: RunView | undefined;
  let opened = false;
  let chain: Promise<void> = Promise.resolve();
  let lastFlush = Date.now();
  let lastFailure = 0;
  let reason = '';
  let currentRecords: readonly MetricRecord[] = [];
  /** Records already handed to the upload queue (uploads finish later). */
  let scheduled = 0;

  const fellBehind = (error: unknown) => {
    lastFailure = Date.now();
    reason =
      error instanceof PretextError
        ? error.problem
        : error instanceof Error
          ? error.message
          : String(error);
    // What failed goes out again with the next upload.
    scheduled = uploader?.copy?.recordsUploaded ?? 0;
    if (!stats.behind) {
      log(
        `Tracking is behind: ${reason} Training goes on and the run folder stays complete; await px.syncRuns() uploads what is missing once ${client.uri} is reachable.`
      );
    }
    stats.behind = true;
  };

  /** Queues work after earlier uploads; skipped while behind until the retry interval passed. */
  const enqueue = (work: (u: RunUploader) => Promise<void>) => {
    chain = chain.then(async () => {
      if (!uploader || !view) {
        return;
      }
      if (stats.behind && Date.now() - lastFailure < RETRY_MS) {
        return;
      }
      try {
        if (!opened || stats.behind) {
          await uploader.open(view, experimentName(options.experiment));
          if (stats.behind || !opened) {
            await uploader.syncPosition(currentRecords);
          }
          if (stats.behind) {
            log(`Tracking caught up with ${client.uri}.`);
          }
          opened = true;
          stats.behind = false;
        }
        await work(uploader);
        stats.mlflowRunId = uploader.copy?.mlflowRunId;
        stats.recordsUploaded = uploader.copy?.recordsUploaded ?? 0;
      } catch (error) {
        fellBehind(error);
      } finally {
        stats.calls = client.calls;
      }
    });
  };
  const flush = (ctx: TrainContext, upTo: number, force: boolean) => {
    currentRecords = ctx.records;
    const waiting = upTo - scheduled;
    if (waiting <= 0 && !force) {
      return;
    }
    if (!force && waiting < flushEvery && Date.now() - lastFlush < flushMs) {
      return;
    }
    lastFlush = Date.now();
    scheduled = Math.max(scheduled, upTo);
    // Copies, so a record the loop still mutates (monitors) is never uploaded half-done.
    const records = ctx.records.slice(0, upTo).map(r => ({ ...r }));
    enqueue(async u => {
      await u.uploadRecords(records, upTo);
    });
  };

  return {
    name: 'mlflow',
    stats,
    onTrainBegin(ctx) {
      uploader = new RunUploader(client, ctx.runDir);
      view = viewOf(ctx);
      currentRecords = ctx.records;
      enqueue(async u => {
        if (ctx.resumedFromStep !== undefined) {
          await u.setStatus('RUNNING');
        }
      });
    },
    onStepEnd(_record, ctx) {
      // The newest record may still get this epoch's monitor values: keep it back.
      flush(ctx, ctx.records.length - 1, false);
    },
    onEpochEnd(_epoch, ctx) {
      flush(ctx, ctx.records.length, false);
    },
    onCheckpoint(checkpoint) {
      if (!options.logCheckpoints) {
        return;
      }
      const files = fs.readdirSync(checkpoint.dir).map(name => ({
        file: path.join(checkpoint.dir, name),
        artifact: `checkpoints/${path.basename(checkpoint.dir)}/${name}`
      }));
      enqueue(u => u.uploadFiles(files));
    },
    async onTrainEnd(end: TrainEnd, ctx) {
      flush(ctx, ctx.records.length, true);
      // A last try even when behind: the server may be back by now.
      lastFailure = 0;
      enqueue(async u => {
        await u.uploadRunFiles();
        await u.setStatus(mlflowStatus(end.status), end.summary?.updated);
      });
      await chain;
      if (stats.behind) {
        const total = ctx.records.length;
        log(
          `Tracking is behind: ${client.uri} has ${stats.recordsUploaded} of ${total} steps of this run${ctx.runId ? ` (${ctx.runId})` : ''} and not its final files (${reason}). The run is complete locally; run await px.syncRuns() when the server is back.`
        );
      }
    }
  };
}
