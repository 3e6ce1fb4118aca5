/**
 * One local run's copy on an MLflow server: which MLflow run it is and what was uploaded,
 * kept in the run folder's tracking.json (per server), so the live callback, syncRuns() and
 * exportEncoder() all continue where the last of them stopped, without duplicates.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MetricRecord, RunConfig, StoredStatus } from '../runs/store';
import { readJson, writeJsonAtomic } from '../runs/files';
import type { MlflowClient } from './mlflow-client';
import {
  LOG_BATCH_LIMITS,
  MAX_PARAM_LENGTH,
  MAX_TAG_LENGTH,
  type KeyValue,
  type MlflowMetric,
  type RunStatusName
} from './mlflow-runs';

export const TRACKING_FILE = 'tracking.json';
/** Run files uploaded as artifacts at the end of a run (those that exist). */
export const RUN_ARTIFACTS = ['config.json', 'environment.json', 'summary.json', 'metrics.jsonl'];

export interface ServerCopy {
  experimentId: string;
  experimentName: string;
  mlflowRunId: string;
  artifactUri: string;
  paramsLogged: boolean;
  /** Leading metrics.jsonl records whose metrics are on the server. */
  recordsUploaded: number;
  /**
   * The server's last step when last checked: a resumed run retrains steps past its
   * checkpoint that may already be on the server, and those are not sent twice.
   */
  serverLastStep?: number;
  /** Artifact paths uploaded (relative to the run's artifact root). */
  artifacts: string[];
  /** The MLflow status last set, and the local summary's `updated` it reflected. */
  status?: RunStatusName;
  summaryUpdated?: string;
  updated: string;
}

interface TrackingFile {
  format: 'pretext-tracking';
  version: 1;
  /** Keyed by tracking URI (never with credentials). */
  servers: Record<string, ServerCopy>;
}

/** What a run is, for its MLflow params and tags. */
export interface RunView {
  id?: string;
  name?: string;
  method: string;
  task: Record<string, unknown>;
  options: Record<string, unknown>;
  dataset: { name: string; size: number; shape: number[] };
  seed: number;
  environment?: Record<string, unknown>;
}

export function viewOfConfig(
  config: RunConfig,
  environment: Record<string, unknown> | undefined
): RunView {
  return {
    id: config.id,
    ...(config.name ? { name: config.name } : {}),
    method: config.method,
    task: config.task,
    options: config.options,
    dataset: config.dataset,
    seed: config.seed,
    ...(environment ? { environment } : {})
  };
}

/** The MLflow status for a local run status. */
export function mlflowStatus(status: StoredStatus | 'unknown'): RunStatusName {
  return status === 'done'
    ? 'FINISHED'
    : status === 'stopped'
      ? 'KILLED'
      : status === 'failed'
        ? 'FAILED'
        : 'RUNNING';
}

function clip(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** Nested objects become dotted keys (task.temperature); arrays and the rest become JSON. */
function flatten(prefix: string, value: unknown, out: KeyValue[]): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) {
      flatten(`${prefix}.${key}`, inner, out);
    }
    return;
  }
  if (value === undefined) {
    return;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  out.push({ key: clip(prefix, 250), value: clip(text, MAX_PARAM_LENGTH) });
}

export function runParams(view: RunView): KeyValue[] {
  const params: KeyValue[] = [{ key: 'method', value: view.method }];
  flatten('task', view.task, params);
  flatten('options', view.options, params);
  params.push(
    { key: 'dataset', value: clip(view.dataset.name, MAX_PARAM_LENGTH) },
    { key: 'dataset.size', value: String(view.dataset.size) },
    { key: 'dataset.shape', value: JSON.stringify(view.dataset.shape) },
    { key: 'seed', value: String(view.seed) }
  );
  const env = view.environment ?? {};
  for (const key of ['backend', 'tensorflow', 'tfjs', 'device', 'node', 'platform']) {
    if (env[key] !== undefined) {
      params.push({ key: `backend.${key}`, value: String(env[key]) });
    }
  }
  flatten('backend.packages', env.packages, params);
  // The server rejects a batch that names one key twice.
  const seen = new Set<string>();
  return params.filter(p => !seen.has(p.key) && !!seen.add(p.key));
}

export function runTags(view: RunView, source: string | undefined): KeyValue[] {
  const tags: KeyValue[] = [
    { key: 'pretext.method', value: view.method },
    { key: 'pretext.dataset', value: clip(view.dataset.name, MAX_TAG_LENGTH) }
  ];
  if (view.id) {
    tags.push({ key: 'pretext.runId', value: view.id });
  }
  if (view.name) {
    tags.push({ key: 'pretext.runName', value: view.name });
  }
  if (source) {
    tags.push(
      { key: 'mlflow.source.name', value: clip(source, MAX_TAG_LENGTH) },
      { key: 'mlflow.source.type', value: source.endsWith('.ipynb') ? 'NOTEBOOK' : 'LOCAL' }
    );
  }
  return tags;
}

/** The notebook that runs this kernel (Jupyter sets JPY_SESSION_NAME), if any. */
export function notebookPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.JPY_SESSION_NAME || undefined;
}

/** Experiment name: the given one, MLFLOW_EXPERIMENT_NAME, the notebook's name, or 'pretext'. */
export function experimentName(given?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (given) {
    return given;
  }
  if (env.MLFLOW_EXPERIMENT_NAME) {
    return env.MLFLOW_EXPERIMENT_NAME;
  }
  const notebook = notebookPath(env);
  if (notebook) {
    return path.basename(notebook).replace(/\.ipynb$/, '') || 'pretext';
  }
  return 'pretext';
}

/** A record's numeric values as MLflow metrics (step and epoch are the axis, not metrics). */
export function recordMetrics(record: MetricRecord, timestamp: number): MlflowMetric[] {
  const metrics: MlflowMetric[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === 'step' || key === 'epoch') {
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      continue;
    }
    metrics.push({ key, value, timestamp, step: record.step });
  }
  return metrics;
}

export class RunUploader {
  copy: ServerCopy | undefined;

  constructor(
    readonly client: MlflowClient,
    readonly runDir: string | undefined
  ) {
    this.copy = runDir ? readTracking(runDir)?.servers[client.uri] : undefined;
  }

  private save(): void {
    if (!this.runDir || !this.copy) {
      return;
    }
    const file = readTracking(this.runDir) ?? {
      format: 'pretext-tracking',
      version: 1,
      servers: {}
    };
    this.copy.updated = new Date().toISOString();
    file.servers[this.client.uri] = this.copy;
    writeJsonAtomic(path.join(this.runDir, TRACKING_FILE), file);
  }

  /**
   * Finds or creates the MLflow run for this local run (by tracking.json, else by its
   * pretext.runId tag, so a run created just before a crash is not created twice) and logs
   * its params once.
   */
  async open(view: RunView, experiment: string, startTime = Date.now()): Promise<ServerCopy> {
    const client = this.client;
    if (this.copy) {
      try {
        const run = await client.getRun(this.copy.mlflowRunId);
        if (run.info.lifecycle_stage === 'deleted') {
          this.copy = undefined;
        }
      } catch (error) {
        if ((error as { code?: string }).code !== 'RESOURCE_DOES_NOT_EXIST') {
          throw error;
        }
        this.copy = undefined;
      }
    }
    if (!this.copy) {
      const experimentId = await client.ensureExperiment(experiment);
      const found = view.id
        ? await client.searchRuns(
            [experimentId],
            `tags."pretext.runId" = '${view.id.replace(/'/g, "\\'")}'`,
            1
          )
        : [];
      const run =
        found[0] ??
        (await client.createRun({
          experimentId,
          runName: view.name ?? view.id,
          startTime,
          tags: runTags(view, notebookPath())
        }));
      this.copy = {
        experimentId,
        experimentName: experiment,
        mlflowRunId: run.info.run_id,
        artifactUri: run.info.artifact_uri,
        paramsLogged: false,
        recordsUploaded: 0,
        artifacts: [],
        updated: ''
      };
      this.save();
    }
    if (!this.copy.paramsLogged) {
      await client.logBatch(this.copy.mlflowRunId, { params: runParams(view) });
      this.copy.paramsLogged = true;
      this.save();
    }
    return this.copy;
  }

  /**
   * Reads how far the server's copy got (its last 'loss' step): the truth after a lost answer,
   * a crash between an upload and the tracking.json write, or a resume.
   */
  async syncPosition(records: readonly MetricRecord[]): Promise<void> {
    const copy = this.copy!;
    const history = await this.client.metricHistory(copy.mlflowRunId, 'loss');
    const lastStep = history.reduce((max, m) => Math.max(max, m.step), 0);
    let n = 0;
    while (n < records.length && records[n].step <= lastStep) {
      n++;
    }
    copy.recordsUploaded = n;
    copy.serverLastStep = lastStep;
    this.save();
  }

  /** Uploads records[recordsUploaded..upTo) in log-batch calls that hold whole records. */
  async uploadRecords(records: readonly MetricRecord[], upTo = records.length): Promise<number> {
    const copy = this.copy!;
    let calls = 0;
    const timestamp = Date.now();
    while (copy.recordsUploaded < upTo) {
      const metrics: MlflowMetric[] = [];
      let bytes = 0;
      let end = copy.recordsUploaded;
      while (end < upTo) {
        const next =
          records[end].step <= (copy.serverLastStep ?? 0)
            ? []
            : recordMetrics(records[end], timestamp);
        const size = Buffer.byteLength(JSON.stringify(next));
        if (
          metrics.length > 0 &&
          (metrics.length + next.length > LOG_BATCH_LIMITS.metrics ||
            bytes + size > LOG_BATCH_LIMITS.bytes - 2000)
        ) {
          break;
        }
        metrics.push(...next);
        bytes += size;
        end++;
      }
      if (metrics.length) {
        calls += await this.client.logBatch(copy.mlflowRunId, { metrics });
      }
      copy.recordsUploaded = end;
      this.save();
    }
    return calls;
  }

  /** Uploads files (absolute path → artifact path); an upload of the same path overwrites. */
  async uploadFiles(files: { file: string; artifact: string }[]): Promise<void> {
    const copy = this.copy!;
    for (const { file, artifact } of files) {
      await this.client.uploadArtifact(copy.artifactUri, artifact, fs.readFileSync(file));
      if (!copy.artifacts.includes(artifact)) {
        copy.artifacts.push(artifact);
      }
    }
    this.save();
  }

  /** Uploads the run folder's record files that exist. */
  async uploadRunFiles(): Promise<void> {
    if (!this.runDir) {
      return;
    }
    const files = RUN_ARTIFACTS.map(name => ({
      file: path.join(this.runDir!, name),
      artifact: name
    })).filter(f => fs.existsSync(f.file));
    await this.uploadFiles(files);
  }

  async setStatus(status: RunStatusName, summaryUpdated?: string): Promise<void> {
    const copy = this.copy!;
    await this.client.updateRun(
      copy.mlflowRunId,
      status,
      status === 'RUNNING' ? undefined : Date.now()
    );
    copy.status = status;
    if (summaryUpdated !== undefined) {
      copy.summaryUpdated = summaryUpdated;
    }
    this.save();
  }
}

export function readTracking(runDir: string): TrackingFile | undefined {
  return readJson<TrackingFile>(path.join(runDir, TRACKING_FILE));
}
