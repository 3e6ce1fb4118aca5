/**
 * The Pretext server extension's replies (GET /pretext/api/tracking/runs and a run's metric
 * history, jupyterlab_pretext/server/handlers.py) read defensively: they are untrusted JSON,
 * so every field is checked and odd values become null. MLflow's values, lightly renamed by
 * the server extension; src/runs/mlflow.ts maps them onto the protocol's run shapes.
 * Pure module: no DOM, no JupyterLab.
 */
import { isRecord } from '../renderers/json';
import { IMetricsResult } from './parse';

/** One run of the reply, as the server extension sends it (MLflow's values, lightly renamed). */
export interface ITrackingRunRow {
  /** The MLflow run id. */
  id: string;
  name: string | null;
  experiment: string | null;
  /** The kernel's tags: pretext.method, pretext.dataset and pretext.runId (the local id). */
  method: string | null;
  dataset: string | null;
  localRunId: string | null;
  /** MLflow's RUNNING, SCHEDULED, FINISHED, FAILED or KILLED. */
  status: string | null;
  /** Start and end time, milliseconds since 1970. */
  created: number | null;
  ended: number | null;
  finalLoss: number | null;
  steps: number | null;
  /** Latest value of each metric. */
  metrics: Record<string, number>;
}

/** The reply of GET /pretext/api/tracking/runs. */
export interface ITrackingReply {
  /** Without credentials; null when no server is configured. */
  trackingUri: string | null;
  host: string | null;
  /** 'PRETEXT_TRACKING_URI', 'MLFLOW_TRACKING_URI', 'settings', or null when none is set. */
  uriSource: string | null;
  /** Whether the server was read; if not, `problem` says why. */
  available: boolean;
  problem: string | null;
  runs: ITrackingRunRow[];
}

const MLFLOW_RUN_ID = /^[0-9a-f]{32}$/;

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function finite(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function readRow(value: unknown): ITrackingRunRow | null {
  if (!isRecord(value) || typeof value.id !== 'string' || !MLFLOW_RUN_ID.test(value.id)) {
    return null;
  }
  const metrics: Record<string, number> = {};
  if (isRecord(value.metrics)) {
    for (const [key, metric] of Object.entries(value.metrics)) {
      const number = finite(metric);
      if (number !== null) {
        metrics[key] = number;
      }
    }
  }
  return {
    id: value.id,
    name: text(value.name),
    experiment: text(value.experiment),
    method: text(value.method),
    dataset: text(value.dataset),
    localRunId: text(value.localRunId),
    status: text(value.status),
    created: finite(value.created),
    ended: finite(value.ended),
    finalLoss: finite(value.finalLoss),
    steps: finite(value.steps),
    metrics
  };
}

/**
 * The server extension's reply, checked field by field: runs without a valid MLflow id are
 * dropped, odd values become null. A reply that is not an object at all says so in `problem`.
 */
export function parseTrackingReply(value: unknown): ITrackingReply {
  if (!isRecord(value)) {
    return {
      trackingUri: null,
      host: null,
      uriSource: null,
      available: false,
      problem: 'The Pretext server extension sent an answer this panel cannot read.',
      runs: []
    };
  }
  const runs = Array.isArray(value.runs) ? value.runs.map(readRow) : [];
  return {
    trackingUri: text(value.trackingUri),
    host: text(value.host),
    uriSource: text(value.uriSource),
    available: value.available === true,
    problem: text(value.problem),
    runs: runs.filter((row): row is ITrackingRunRow => row !== null)
  };
}

/** A metric history (the server extension's `history`) as metrics points. */
export function historyToMetrics(value: unknown, key = 'loss'): IMetricsResult {
  const history = isRecord(value) && Array.isArray(value.history) ? value.history : [];
  const points: IMetricsResult['points'] = [];
  let skipped = 0;
  for (const entry of history) {
    const step = isRecord(entry) ? finite(entry.step) : null;
    if (!isRecord(entry) || step === null) {
      skipped++;
      continue;
    }
    const number = finite(entry.value);
    points.push({
      step,
      epoch: null,
      loss: key === 'loss' ? number : null,
      values: number === null ? {} : { [key]: number }
    });
  }
  // MLflow keeps every logged value; a resumed run may have logged a step twice.
  points.sort((a, b) => a.step - b.step);
  return { points, skipped };
}
