/**
 * A small client of MLflow's REST API (Node 20 fetch): experiments, runs, batched logging,
 * search, metric history, artifacts through the server's mlflow-artifacts proxy, and the model
 * registry with aliases. The npm `mlflow` package is stale and cannot upload artifacts.
 */
import { PretextError } from '../util/errors';

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
export interface ModelVersion {
  name: string;
  version: string;
  source: string;
  run_id?: string;
  status?: string;
  aliases?: string[];
}
export interface ArtifactFile {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

export interface MlflowClientOptions {
  /** Milliseconds before a call is given up (default 30 s). */
  timeoutMs?: number;
  /** Overrides the credentials read from MLFLOW_TRACKING_TOKEN / _USERNAME / _PASSWORD. */
  env?: NodeJS.ProcessEnv;
}

/** An error the server answered with (status and MLflow error code). */
export class MlflowApiError extends PretextError {
  constructor(
    problem: string,
    fix: string,
    readonly status: number,
    readonly code: string | undefined
  ) {
    super(problem, fix);
  }
}

/** The URI without user:password (safe to print and to store). */
export function redactUri(uri: string): string {
  try {
    const url = new URL(uri);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return uri.replace(/\/\/[^/@]*@/, '//');
  }
}

/** The tracking URI to use: the given one, else MLFLOW_TRACKING_URI, else none. */
export function resolveTrackingUri(
  tracking: string | false | undefined,
  env: NodeJS.ProcessEnv = process.env
): string | undefined {
  if (tracking === false) return undefined;
  const uri = tracking ?? env.MLFLOW_TRACKING_URI;
  if (uri === undefined || uri === '') return undefined;
  if (typeof uri !== 'string' || !/^https?:\/\//i.test(uri)) {
    throw new PretextError(
      `The tracking URI '${redactUri(String(uri))}' is not an http(s) address of an MLflow server.`,
      "Start a server (mlflow server --host 127.0.0.1 --port 5000) and pass tracking: 'http://127.0.0.1:5000' (or set MLFLOW_TRACKING_URI); tracking: false turns tracking off."
    );
  }
  return uri;
}

function authHeader(uri: URL, env: NodeJS.ProcessEnv): string | undefined {
  if (env.MLFLOW_TRACKING_TOKEN) return `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
  const user = env.MLFLOW_TRACKING_USERNAME ?? decodeURIComponent(uri.username);
  const password = env.MLFLOW_TRACKING_PASSWORD ?? decodeURIComponent(uri.password);
  if (!user) return undefined;
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

const STALE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

function errorCode(error: unknown): string | undefined {
  return (error as { cause?: { code?: string } })?.cause?.code;
}

function firstLine(error: unknown): string {
  const code = errorCode(error);
  if (code) return code;
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
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
  if (current.length) chunks.push(current);
  return chunks;
}

export class MlflowClient {
  /** The server's base URL without credentials. */
  readonly uri: string;
  private readonly base: string;
  private readonly auth: string | undefined;
  private readonly timeoutMs: number;
  /** Calls made so far (for the overhead measurements). */
  calls = 0;

  constructor(uri: string, options: MlflowClientOptions = {}) {
    const url = new URL(uri);
    this.auth = authHeader(url, options.env ?? process.env);
    this.uri = redactUri(uri);
    this.base = this.uri.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  private async request(
    method: string,
    route: string,
    body?: unknown,
    raw?: { data: Uint8Array; contentType?: string }
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.auth) headers.Authorization = this.auth;
    let payload: string | Uint8Array | undefined;
    if (raw) {
      payload = raw.data;
      headers['Content-Type'] = raw.contentType ?? 'application/octet-stream';
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    this.calls++;
    let response: Response;
    const send = () =>
      fetch(`${this.base}${route}`, {
        method,
        headers,
        // Uint8Array is a valid body; the DOM and Node typings disagree on its buffer type.
        body: payload as unknown as RequestInit['body'],
        signal: AbortSignal.timeout(this.timeoutMs)
      });
    try {
      try {
        response = await send();
      } catch (error) {
        // A kept-alive socket the server closed while idle fails before the request is sent:
        // one retry on a fresh connection.
        if (!STALE_SOCKET.has(errorCode(error) ?? '')) throw error;
        response = await send();
      }
    } catch (error) {
      const why =
        (error as Error)?.name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs / 1000} s`
          : firstLine(error);
      throw new MlflowApiError(
        `Cannot reach the MLflow tracking server at ${this.uri} (${why}).`,
        'Check that the server runs (mlflow server --host 127.0.0.1 --port 5000) and that MLFLOW_TRACKING_URI (or the tracking option) names it.',
        0,
        undefined
      );
    }
    if (response.status === 401 || response.status === 403) {
      throw new MlflowApiError(
        `The MLflow server at ${this.uri} refused the request (${response.status} ${response.status === 401 ? 'unauthenticated' : 'forbidden'}).`,
        'Set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, to an account with access to this experiment / model.',
        response.status,
        undefined
      );
    }
    return response;
  }

  private async json<T>(method: string, route: string, body?: unknown): Promise<T> {
    const response = await this.request(method, route, body);
    const text = await response.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // A proxy's HTML error page: reported below with the status.
    }
    if (!response.ok) {
      const code = typeof parsed.error_code === 'string' ? parsed.error_code : undefined;
      const message =
        typeof parsed.message === 'string' ? parsed.message : text.slice(0, 200) || 'no body';
      throw new MlflowApiError(
        `MLflow ${route.split('?')[0]} failed (${response.status}${code ? ` ${code}` : ''}): ${message}`,
        'Check the request values above; if the server is older than MLflow 3, upgrade it.',
        response.status,
        code
      );
    }
    return parsed as T;
  }

  private get<T>(route: string, query: Record<string, string | number>): Promise<T> {
    const qs = new URLSearchParams(
      Object.entries(query).map(([k, v]) => [k, String(v)] as [string, string])
    );
    return this.json<T>('GET', `/api/2.0/mlflow/${route}?${qs}`);
  }

  private post<T>(route: string, body: unknown): Promise<T> {
    return this.json<T>('POST', `/api/2.0/mlflow/${route}`, body);
  }

  /** GET /health: resolves when the server answers. */
  async health(): Promise<void> {
    const response = await this.request('GET', '/health');
    if (!response.ok) {
      throw new MlflowApiError(
        `The MLflow server at ${this.uri} is not healthy (${response.status}).`,
        'Look at the server log; restart it.',
        response.status,
        undefined
      );
    }
  }

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
    if (found) return found.experiment_id;
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

  /** 'mlflow-artifacts:/1/<run>/artifacts' → '1/<run>/artifacts' (the proxy's path). */
  artifactPath(artifactUri: string, relative = ''): string {
    if (!artifactUri.startsWith('mlflow-artifacts:')) {
      throw new PretextError(
        `The artifact store ${artifactUri} is not served by the tracking server, so Pretext cannot upload or download through it.`,
        'Start the server with artifact serving on (the default: mlflow server --artifacts-destination <folder or bucket>).'
      );
    }
    const rest = artifactUri.replace(/^mlflow-artifacts:(\/\/[^/]*)?/, '').replace(/^\/+/, '');
    const joined = [rest, relative.replace(/^\/+/, '')].filter(Boolean).join('/');
    return joined
      .split('/')
      .map(part => encodeURIComponent(part))
      .join('/');
  }

  async uploadArtifact(artifactUri: string, relative: string, data: Uint8Array): Promise<void> {
    const route = `/api/2.0/mlflow-artifacts/artifacts/${this.artifactPath(artifactUri, relative)}`;
    const response = await this.request('PUT', route, undefined, { data });
    if (!response.ok) {
      throw new MlflowApiError(
        `Uploading artifact ${relative} to ${this.uri} failed (${response.status}): ${(await response.text()).slice(0, 200)}`,
        'Check that the server serves artifacts (--artifacts-destination) and has space left.',
        response.status,
        undefined
      );
    }
    await response.arrayBuffer();
  }

  /** Files and folders directly under `relative`; [] when there are none. */
  async listArtifacts(artifactUri: string, relative = ''): Promise<ArtifactFile[]> {
    const qs = new URLSearchParams({
      path: decodeURIComponent(this.artifactPath(artifactUri, relative))
    });
    const r = await this.json<{ files?: ArtifactFile[] }>(
      'GET',
      `/api/2.0/mlflow-artifacts/artifacts?${qs}`
    );
    return r.files ?? [];
  }

  /** An artifact's bytes, or undefined when the server has no such file. */
  async downloadArtifact(artifactUri: string, relative: string): Promise<Uint8Array | undefined> {
    const route = `/api/2.0/mlflow-artifacts/artifacts/${this.artifactPath(artifactUri, relative)}`;
    const response = await this.request('GET', route);
    if (response.status === 404) {
      await response.arrayBuffer();
      return undefined;
    }
    if (!response.ok) {
      throw new MlflowApiError(
        `Downloading artifact ${relative} from ${this.uri} failed (${response.status}).`,
        'Check that the server serves artifacts (--artifacts-destination).',
        response.status,
        undefined
      );
    }
    return new Uint8Array(await response.arrayBuffer());
  }

  /** Creates the registered model unless it exists. */
  async ensureRegisteredModel(name: string): Promise<void> {
    try {
      await this.post('registered-models/create', { name });
    } catch (error) {
      if (!(error instanceof MlflowApiError && error.code === 'RESOURCE_ALREADY_EXISTS')) {
        throw error;
      }
    }
  }

  async registeredModel(name: string): Promise<
    | {
        name: string;
        aliases?: { alias: string; version: string }[];
        latest_versions?: ModelVersion[];
      }
    | undefined
  > {
    try {
      const r = await this.get<{
        registered_model: {
          name: string;
          aliases?: { alias: string; version: string }[];
          latest_versions?: ModelVersion[];
        };
      }>('registered-models/get', { name });
      return r.registered_model;
    } catch (error) {
      if (error instanceof MlflowApiError && error.code === 'RESOURCE_DOES_NOT_EXIST') {
        return undefined;
      }
      throw error;
    }
  }

  async createModelVersion(name: string, source: string, runId?: string): Promise<ModelVersion> {
    const r = await this.post<{ model_version: ModelVersion }>('model-versions/create', {
      name,
      source,
      ...(runId ? { run_id: runId } : {})
    });
    return r.model_version;
  }

  async modelVersion(name: string, version: string): Promise<ModelVersion> {
    return (
      await this.get<{ model_version: ModelVersion }>('model-versions/get', { name, version })
    ).model_version;
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.post('registered-models/alias', { name, alias, version });
  }

  async versionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return (
      await this.get<{ model_version: ModelVersion }>('registered-models/alias', { name, alias })
    ).model_version;
  }
}
