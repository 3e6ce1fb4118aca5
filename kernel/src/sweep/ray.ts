/**
 * Fan-out on Ray: each configuration is one Ray job, submitted through the Jobs REST API of a
 * Ray dashboard (POST /api/jobs/, GET /api/jobs/<id>, GET /api/jobs/<id>/logs,
 * POST /api/jobs/<id>/stop). The job runs the same papermill command a local run does, so the
 * workers must see the same paths (notebook, sweep folder, run store): a shared folder.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { PretextError } from '../util/errors';
import { papermillArgs, papermillPath, tailOf, type Execution, type Outcome } from './local';

export interface RayOptions {
  address: string;
  /** GPUs per job (`entrypoint_num_gpus`): tfjs-node trains on one device per process. */
  gpus?: number;
  /** CPUs per job (`entrypoint_num_cpus`, default 1), so Ray queues what does not fit. */
  cpus?: number;
  /** How often to poll a job's status, in ms. */
  pollMs?: number;
}

type JobStatus = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'STOPPED';

interface JobInfo {
  status: JobStatus;
  message?: string;
  start_time?: number | null;
  end_time?: number | null;
}

const base = (address: string) => address.replace(/\/+$/, '');

/**
 * One HTTP exchange through node:http(s). Not fetch: undici sends `Sec-Fetch-Mode`, and Ray's
 * dashboard refuses POSTs that carry browser headers ("method not allowed for browser
 * traffic"), as a guard against cross-site requests.
 */
function exchange(
  url: URL,
  method: string,
  body: string | undefined
): Promise<{ status: number; text: string }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        timeout: 30_000
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') })
        );
        res.on('error', reject);
      }
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(body);
  });
}

async function request<T>(
  address: string,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown
): Promise<T> {
  let response: { status: number; text: string };
  try {
    response = await exchange(
      new URL(`${base(address)}${route}`),
      method,
      body === undefined ? undefined : JSON.stringify(body)
    );
  } catch (error) {
    throw new PretextError(
      `Cannot reach the Ray dashboard at ${address}: ${(error as Error).message}.`,
      'Start Ray with `ray start --head --dashboard-host 127.0.0.1 --include-dashboard true` and pass its dashboard address (default port 8265) to --ray.'
    );
  }
  if (response.status < 200 || response.status >= 300) {
    throw new PretextError(
      `Ray answered ${response.status} to ${method} ${route}: ${response.text.slice(0, 300)}`,
      'Check the Ray cluster (ray status) and the job request.'
    );
  }
  try {
    return JSON.parse(response.text) as T;
  } catch {
    throw new PretextError(
      `${address} answered ${method} ${route} with something other than JSON: ${response.text.slice(0, 200)}`,
      'Pass the Ray dashboard address (http://<head>:8265) to --ray.'
    );
  }
}

/** Checks that `address` is a Ray dashboard with the Jobs API; returns Ray's version. */
export async function checkRay(address: string): Promise<string> {
  const version = await request<{ ray_version?: string }>(address, 'GET', '/api/version');
  if (!version.ray_version) {
    throw new PretextError(
      `${address} answered /api/version without a Ray version: is it a Ray dashboard?`,
      'Pass the Ray dashboard address (http://<head>:8265) to --ray.'
    );
  }
  return version.ray_version;
}

/** A POSIX shell word: single-quoted, with embedded quotes escaped. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/**
 * Runs one configuration as a Ray job and waits for it; `signal` stops the job. The outcome
 * carries the job's whole log and its tail (with Ray's status message).
 */
export async function runOnRay(
  execution: Execution,
  submissionId: string,
  options: RayOptions,
  signal: AbortSignal
): Promise<Outcome & { jobId: string; log: string }> {
  const { address, pollMs = 1000 } = options;
  const entrypoint = [papermillPath(), ...papermillArgs(execution)].map(shellQuote).join(' ');
  const started = Date.now();
  await request(address, 'POST', '/api/jobs/', {
    entrypoint,
    submission_id: submissionId,
    runtime_env: { env_vars: execution.env },
    metadata: { pretext_notebook: execution.notebook },
    entrypoint_num_cpus: options.cpus ?? 1,
    ...(options.gpus ? { entrypoint_num_gpus: options.gpus } : {})
  });
  let info: JobInfo;
  let stopRequested = false;
  for (;;) {
    if (signal.aborted && !stopRequested) {
      stopRequested = true;
      await request(address, 'POST', `/api/jobs/${submissionId}/stop`).catch(() => undefined);
    }
    info = await request<JobInfo>(address, 'GET', `/api/jobs/${submissionId}`);
    if (info.status === 'SUCCEEDED' || info.status === 'FAILED' || info.status === 'STOPPED') {
      break;
    }
    await sleep(pollMs);
  }
  const logs = await request<{ logs: string }>(
    address,
    'GET',
    `/api/jobs/${submissionId}/logs`
  ).catch(() => ({ logs: '' }));
  const seconds =
    info.start_time && info.end_time
      ? (info.end_time - info.start_time) / 1000
      : (Date.now() - started) / 1000;
  return {
    jobId: submissionId,
    ok: info.status === 'SUCCEEDED',
    stopped: info.status === 'STOPPED' || stopRequested,
    seconds,
    tail: tailOf(`${logs.logs ?? ''}${info.message ? `\n${info.message}` : ''}`),
    log: logs.logs ?? ''
  };
}
