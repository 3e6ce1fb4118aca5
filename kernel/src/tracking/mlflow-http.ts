/**
 * The transport under MlflowClient: one authenticated fetch per call with a timeout, one retry
 * on a stale kept-alive socket, and the server's answers turned into MlflowApiError (status,
 * MLflow error code, a problem and a fix). The REST routes are added by the layers above.
 */
import { PretextError } from '../util/errors';

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

function authHeader(uri: URL, env: NodeJS.ProcessEnv): string | undefined {
  if (env.MLFLOW_TRACKING_TOKEN) {
    return `Bearer ${env.MLFLOW_TRACKING_TOKEN}`;
  }
  const user = env.MLFLOW_TRACKING_USERNAME ?? decodeURIComponent(uri.username);
  const password = env.MLFLOW_TRACKING_PASSWORD ?? decodeURIComponent(uri.password);
  if (!user) {
    return undefined;
  }
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

const STALE_SOCKET = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

function errorCode(error: unknown): string | undefined {
  return (error as { cause?: { code?: string } })?.cause?.code;
}

function firstLine(error: unknown): string {
  const code = errorCode(error);
  if (code) {
    return code;
  }
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/** The HTTP core every part of the client builds on: the server, credentials, call count. */
export class MlflowHttp {
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

  protected async request(
    method: string,
    route: string,
    body?: unknown,
    raw?: { data: Uint8Array; contentType?: string }
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.auth) {
      headers.Authorization = this.auth;
    }
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
        if (!STALE_SOCKET.has(errorCode(error) ?? '')) {
          throw error;
        }
        response = await send();
      }
    } catch (error) {
      const why =
        (error as Error)?.name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs / 1000} s`
          : firstLine(error);
      throw new MlflowApiError(
        `Cannot reach the MLflow tracking server at ${this.uri} (${why}).`,
        'Check that the server runs (mlflow server --host 127.0.0.1 --port 5000) and that the tracking URI names it (the tracking option, PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI or Settings > Pretext > Tracking URI, in that order).',
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

  protected async json<T>(method: string, route: string, body?: unknown): Promise<T> {
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

  protected get<T>(route: string, query: Record<string, string | number>): Promise<T> {
    const qs = new URLSearchParams(
      Object.entries(query).map(([k, v]) => [k, String(v)] as [string, string])
    );
    return this.json<T>('GET', `/api/2.0/mlflow/${route}?${qs}`);
  }

  protected post<T>(route: string, body: unknown): Promise<T> {
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
}
