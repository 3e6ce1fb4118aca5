import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendInfo, tf } from '../backend/tf';
import type { MetricRecord, RunConfig, RunStatus, RunSummary } from '../protocol';
import type { PretextTask } from '../tasks/task';
import { PretextError, check } from '../util/errors';
import { describeFsError, fsErrorFix } from '../util/fs-errors';
import { checkpointDirs, readCheckpoint } from './checkpoint';
import { trueSummary } from './liveness';
import { assignTaskState, matchTaskState } from './task-state';
import { PROTOCOL_VERSION } from '../protocol/version';
import { readJson, writeJsonAtomic } from './files';
import { closestNames } from '../util/names';

/**
 * The run files' types, statuses and the heartbeat limit are the protocol's (shared with the
 * extension). 'interrupted' is never written: readers show it for a 'running' run whose
 * process is gone (same host, pid not alive) or whose heartbeat is far too old (liveness.ts).
 */
export type StoredStatus = RunStatus;
export type { MetricRecord, RunConfig, RunSummary } from '../protocol';
export { STALE_HEARTBEAT_MS } from '../protocol';

export interface RunInfo {
  id: string;
  name?: string;
  method: string;
  dataset: string;
  status: StoredStatus | 'unknown';
  created: string;
  finalLoss: number | null;
  steps: number;
  /** The step of the latest checkpoint, when the run has one. */
  checkpointStep?: number;
  /** Why an interrupted run is shown so, and how to resume it. */
  message?: string;
}

export interface Run {
  id: string;
  dir: string;
  config: RunConfig;
  environment: Record<string, unknown> | undefined;
  summary: RunSummary | undefined;
  /** Every line of metrics.jsonl, in order. */
  metrics(): MetricRecord[];
  /** The latest complete checkpoint folder, if any. */
  checkpointPath: string | undefined;
  /** Its step, read from the folder name. */
  checkpointStep: number | undefined;
}

export interface RunStore {
  root: string;
  /** Every run, oldest first. */
  list(): RunInfo[];
  get(id: string): Run;
  /** The newest run (of `method`, when given) that has a checkpoint. */
  latest(method?: string): Run;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** A sortable, unique run id: 20261128-021533-simclr-3f2a (UTC time, method, random). */
export function newRunId(method: string, now = new Date()): string {
  const stamp = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  const slug =
    method
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'run';
  return `${stamp}-${slug}-${randomBytes(2).toString('hex')}`;
}

function readMetrics(file: string): MetricRecord[] {
  if (!fs.existsSync(file)) {
    return [];
  }
  const records: MetricRecord[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) {
      continue;
    }
    try {
      records.push(JSON.parse(line) as MetricRecord);
    } catch {
      // A line cut short by a crash mid-append; the rest of the log is still good.
    }
  }
  return records;
}

/** Oldest first: by creation time (ids only resolve to the second), then by id. */
function byCreated(a: Run, b: Run): number {
  const ta = String(a.config.created ?? '');
  const tb = String(b.config.created ?? '');
  return ta < tb ? -1 : ta > tb ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function openRun(root: string, id: string): Run | undefined {
  const dir = path.join(root, id);
  const config = readJson<RunConfig>(path.join(dir, 'config.json'));
  if (!config) {
    return undefined;
  }
  const checkpointPath = checkpointDirs(path.join(dir, 'checkpoints')).at(-1);
  const checkpointStep = checkpointPath
    ? Number(path.basename(checkpointPath).slice('step-'.length))
    : undefined;
  return {
    id,
    dir,
    config,
    environment: readJson<Record<string, unknown>>(path.join(dir, 'environment.json')),
    summary: trueSummary(id, readJson<RunSummary>(path.join(dir, 'summary.json')), checkpointStep),
    metrics: () => readMetrics(path.join(dir, 'metrics.jsonl')),
    checkpointPath,
    checkpointStep
  };
}

/**
 * A run store root that exists must be a folder: a file there (a typo, a download saved as
 * 'runs') would otherwise surface as a raw EEXIST or ENOTDIR from deep inside fs.
 */
function checkStoreFolder(base: string): void {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(base);
  } catch {
    return; // Missing (created on first write) or unreadable: the callers say which.
  }
  check(
    stat.isDirectory(),
    `The run store ${base} is a file, not a folder; runs cannot be listed, read or written there. Nothing was changed.`,
    `Point runStore at a folder (or set PRETEXT_RUNS), or move the file ${base} out of the way; runStore: false trains without a record.`
  );
}

/** The run store under `root` (default: PRETEXT_RUNS, else './runs'). */
export function openRunStore(root?: string): RunStore {
  const base = path.resolve(root ?? (process.env.PRETEXT_RUNS || './runs'));
  checkStoreFolder(base);
  const ids = (): string[] =>
    fs.existsSync(base)
      ? fs
          .readdirSync(base, { withFileTypes: true })
          .filter(e => e.isDirectory() && fs.existsSync(path.join(base, e.name, 'config.json')))
          .map(e => e.name)
          .sort()
      : [];
  return {
    root: base,
    list(): RunInfo[] {
      const runs = ids()
        .map(id => openRun(base, id))
        .filter((r): r is Run => !!r)
        .sort(byCreated);
      return runs.map(run => ({
        id: run.id,
        ...(run.config.name ? { name: run.config.name } : {}),
        method: run.config.method,
        dataset: run.config.dataset?.name,
        status: run.summary?.status ?? 'unknown',
        created: run.config.created,
        finalLoss: run.summary?.finalLoss ?? null,
        steps: run.summary?.steps ?? 0,
        ...(run.checkpointStep !== undefined ? { checkpointStep: run.checkpointStep } : {}),
        ...(run.summary?.status === 'interrupted' ? { message: run.summary.message } : {})
      }));
    },
    get(id: string): Run {
      const run = typeof id === 'string' && !id.includes('/') ? openRun(base, id) : undefined;
      if (run) {
        return run;
      }
      const known = ids();
      const nearest = closestNames(String(id), known, 3);
      throw new PretextError(
        `No run '${String(id)}' in the run store ${base}.`,
        known.length
          ? `Use one of the nearest ids: ${nearest.join(', ')} (openRunStore().list() shows all ${known.length}).`
          : 'The store is empty: train with a run store first, or pass runStore: the folder that holds the run.'
      );
    },
    latest(method?: string): Run {
      const candidates = ids()
        .map(id => openRun(base, id))
        .filter(
          (r): r is Run => !!r && !!r.checkpointPath && (!method || r.config.method === method)
        )
        .sort(byCreated)
        .reverse();
      check(
        candidates.length > 0,
        `No ${method ? `${method} ` : ''}run with a checkpoint in the run store ${base}.`,
        "Train once with a run store (the default), then resume with { resume: 'latest' }."
      );
      return candidates[0];
    }
  };
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(
      fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')
    ) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Creates a run folder with config.json, environment.json and a 'running' summary. */
export function createRun(
  root: string,
  config: Omit<RunConfig, 'id' | 'created'>
): { id: string; dir: string } {
  const base = path.resolve(root);
  checkStoreFolder(base);
  try {
    fs.mkdirSync(base, { recursive: true });
    fs.accessSync(base, fs.constants.W_OK);
  } catch (error) {
    throw new PretextError(
      `Cannot write the run store at ${base}: ${describeFsError(error)}. Nothing was trained or written.`,
      `${fsErrorFix(error, base)}; or set PRETEXT_RUNS, or pass runStore: false to keep no record.`
    );
  }
  for (;;) {
    const id = newRunId(config.method);
    const dir = path.join(base, id);
    try {
      fs.mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        continue;
      }
      throw error;
    }
    writeJsonAtomic(path.join(dir, 'config.json'), {
      version: PROTOCOL_VERSION,
      id,
      ...(config.name ? { name: config.name } : {}),
      created: new Date().toISOString(),
      ...config
    });
    writeJsonAtomic(path.join(dir, 'environment.json'), {
      ...backendInfo(),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      packages: {
        pretext: packageVersion(),
        'tfjs-core': tf.version['tfjs-core'],
        'tfjs-node': (tf.version as Record<string, string>)['tfjs-node'] ?? 'unknown'
      }
    });
    return { id, dir };
  }
}

/**
 * Loads a stored run's latest checkpoint into `task` (its state variables only, not the
 * optimiser). Validates everything before assigning, and never writes to the store.
 */
export function loadCheckpoint(
  task: PretextTask,
  runId: string,
  root?: string
): { runId: string; step: number; path: string } {
  const store = openRunStore(root);
  const run = runId === 'latest' ? store.latest(task.method) : store.get(runId);
  check(
    run.checkpointPath !== undefined,
    `Run ${run.id} has no checkpoint.`,
    'It stopped before its first checkpoint; pick another run from openRunStore().list().'
  );
  const checkpoint = readCheckpoint(run.checkpointPath);
  assignTaskState(matchTaskState(checkpoint, task));
  return { runId: run.id, step: checkpoint.manifest.step, path: run.checkpointPath };
}
