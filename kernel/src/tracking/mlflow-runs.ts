/**
 * Experiments and runs over MLflow's REST API: creating and updating runs, batched logging
 * within the server's per-call limits, search and metric history (both paged).
 */
import { MlflowApiError, MlflowHttp } from './mlflow-http';

/** log-batch limits of the MLflow server (per call). */
export const LOG_BATCH_LIMITS = {
  metrics: 1000,
  params: 100,
  tags: 100,
  entities: 1000,
  bytes: 1_000_000
} as const;
/** Longest param / tag value the server stores (MLflow 3). */
export const MAX_PARAM_LENGTH = 6000;
export const MAX_TAG_LENGTH = 8000;

export interface MlflowMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}
export interface KeyValue {
  key: string;
  value: string;
}
export type RunStatusName = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface MlflowRunInfo {
  run_id: string;
  experiment_id: string;
  run_name?: string;
  status: RunStatusName;
  start_time?: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage?: string;
}
export interface MlflowRun {
  info: MlflowRunInfo;
  data: { metrics?: MlflowMetric[]; params?: KeyValue[]; tags?: KeyValue[] };
}

/** Splits `items` into chunks that keep under `limit` items and `maxBytes` of JSON. */
export function chunkByLimits<T>(items: readonly T[], limit: number, maxBytes: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (current.length > 0 && (current.length >= limit || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) {
    chunks.push(current);
  }
  return chunks;
}

/** The experiments, runs and metrics part of the API. */
export class MlflowRuns extends MlflowHttp {
  async experimentByName(name: string): Promise<{ experiment_id: string } | undefined> {
    try {
      const r = await this.get<{ experiment: { experiment_id: string } }>(
        'experiments/get-by-name',
        { experiment_name: name }
      );
      return r.experiment;
    } catch (error) {
      if (error instanceof MlflowApiError && error.code === 'RESOURCE_DOES_NOT_EXIST') {
        return undefined;
      }
      throw error;
    }
  }

  /** The experiment's id, creating it when missing (a concurrent creator wins harmlessly). */
  async ensureExperiment(name: string): Promise<string> {
    const found = await this.experimentByName(name);
    if (found) {
      return found.experiment_id;
    }
    try {
      return (await this.post<{ experiment_id: string }>('experiments/create', { name }))
        .experiment_id;
    } catch (error) {
      if (error instanceof MlflowApiError && error.code === 'RESOURCE_ALREADY_EXISTS') {
        return (await this.experimentByName(name))!.experiment_id;
      }
      throw error;
    }
  }

  async createRun(body: {
    experimentId: string;
    runName?: string;
    startTime?: number;
    tags?: KeyValue[];
  }): Promise<MlflowRun> {
    const r = await this.post<{ run: MlflowRun }>('runs/create', {
      experiment_id: body.experimentId,
      ...(body.runName ? { run_name: body.runName } : {}),
      start_time: body.startTime ?? Date.now(),
      tags: (body.tags ?? []).slice(0, LOG_BATCH_LIMITS.tags)
    });
    return r.run;
  }

  async getRun(runId: string): Promise<MlflowRun> {
    return (await this.get<{ run: MlflowRun }>('runs/get', { run_id: runId })).run;
  }

  async updateRun(runId: string, status: RunStatusName, endTime?: number): Promise<void> {
    await this.post('runs/update', {
      run_id: runId,
      status,
      ...(endTime !== undefined ? { end_time: endTime } : {})
    });
  }

  /**
   * Logs metrics, params and tags in as many log-batch calls as the server's limits need
   * (1000 metrics, 100 params + tags, 1 MB per call). Returns the number of calls made.
   */
  async logBatch(
    runId: string,
    batch: { metrics?: MlflowMetric[]; params?: KeyValue[]; tags?: KeyValue[] }
  ): Promise<number> {
    let calls = 0;
    const budget = LOG_BATCH_LIMITS.bytes - 1000;
    const keyed = [
      ...(batch.params ?? []).map(p => ({ kind: 'params' as const, item: p })),
      ...(batch.tags ?? []).map(t => ({ kind: 'tags' as const, item: t }))
    ];
    for (const chunk of chunkByLimits(keyed, LOG_BATCH_LIMITS.params, budget)) {
      await this.post('runs/log-batch', {
        run_id: runId,
        params: chunk.filter(c => c.kind === 'params').map(c => c.item),
        tags: chunk.filter(c => c.kind === 'tags').map(c => c.item)
      });
      calls++;
    }
    for (const chunk of chunkByLimits(batch.metrics ?? [], LOG_BATCH_LIMITS.metrics, budget)) {
      await this.post('runs/log-batch', { run_id: runId, metrics: chunk });
      calls++;
    }
    return calls;
  }

  async searchRuns(
    experimentIds: string[],
    filter: string,
    maxResults = 100
  ): Promise<MlflowRun[]> {
    const runs: MlflowRun[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.post<{ runs?: MlflowRun[]; next_page_token?: string }>('runs/search', {
        experiment_ids: experimentIds,
        filter,
        max_results: Math.min(maxResults, 1000),
        ...(pageToken ? { page_token: pageToken } : {})
      });
      runs.push(...(r.runs ?? []));
      pageToken = r.next_page_token;
    } while (pageToken && runs.length < maxResults);
    return runs;
  }

  /** Every logged value of one metric, in server order (pages through the history). */
  async metricHistory(runId: string, key: string): Promise<MlflowMetric[]> {
    const values: MlflowMetric[] = [];
    let pageToken: string | undefined;
    do {
      const r = await this.get<{ metrics?: MlflowMetric[]; next_page_token?: string }>(
        'metrics/get-history',
        {
          run_id: runId,
          metric_key: key,
          max_results: 25000,
          ...(pageToken ? { page_token: pageToken } : {})
        }
      );
      values.push(...(r.metrics ?? []));
      pageToken = r.next_page_token;
    } while (pageToken);
    return values;
  }
}
