// Run-store files for the extension's tests, from files the kernel itself wrote
// (kernel-run.ts trains a tiny run); tests override single fields to build the cases they
// need. Call `await loadKernelRunFixtures()` in a before() hook first.
import { kernelRunFiles, type IKernelRunFiles } from './kernel-run';

let files: IKernelRunFiles | undefined;

/** Trains the tiny kernel run (once per process) that the fixtures below are based on. */
export async function loadKernelRunFixtures(): Promise<IKernelRunFiles> {
  files = await kernelRunFiles();
  return files;
}

function kernel(): IKernelRunFiles {
  if (!files) {
    throw new Error('Call `await loadKernelRunFixtures()` in a before() hook first.');
  }
  return files;
}

function withOverrides(text: string, overrides: Record<string, unknown>): string {
  return JSON.stringify({ ...(JSON.parse(text) as Record<string, unknown>), ...overrides });
}

/** config.json as the kernel wrote it (method 'simclr', dataset 'mnist', batch 128), changed. */
export function configJson(overrides: Record<string, unknown> = {}): string {
  return withOverrides(kernel().config, overrides);
}

/** summary.json of the finished kernel run (status 'done', 24 steps, 3 epochs), changed. */
export function summaryJson(overrides: Record<string, unknown> = {}): string {
  return withOverrides(kernel().summary, overrides);
}

/** The finished summary as kernels before heartbeats wrote it: no pid, host or heartbeat. */
export function legacySummaryJson(overrides: Record<string, unknown> = {}): string {
  const {
    pid: _pid,
    host: _host,
    heartbeat: _beat,
    ...legacy
  } = JSON.parse(kernel().summary) as Record<string, unknown>;
  return JSON.stringify({ ...legacy, ...overrides });
}

/**
 * summary.json as the kernel wrote it while the run trained (status 'running', with its pid,
 * host and heartbeat), with the heartbeat (and update time) moved to `heartbeat`.
 */
export function runningSummaryJson(
  heartbeat: string,
  overrides: Record<string, unknown> = {}
): string {
  return withOverrides(kernel().runningSummary, { updated: heartbeat, heartbeat, ...overrides });
}

/**
 * metrics.jsonl of `steps` lines in the kernel's record format (its lines, cycled), with a
 * falling loss `start / (1 + i / 5)` and ten steps an epoch, so curves have a known shape.
 */
export function metricsJsonl(steps: number, start = 3): string {
  const records = kernel()
    .metrics.split('\n')
    .filter(line => line.trim() !== '')
    .map(line => JSON.parse(line) as Record<string, unknown>);
  return Array.from({ length: steps }, (_, i) =>
    JSON.stringify({
      ...records[i % records.length],
      step: i + 1,
      epoch: Math.floor(i / 10),
      loss: start / (1 + i / 5)
    })
  )
    .map(line => `${line}\n`)
    .join('');
}

/** An error shaped like ServerConnection.ResponseError, which carries the HTTP response. */
export class FakeResponseError extends Error {
  constructor(readonly response: { status: number }) {
    super(`Server responded with ${response.status}`);
  }
}

/**
 * The slice of the Jupyter contents API the run store model uses, over in-memory files
 * ("runs/r1/config.json" -> text). Folders exist where files are under them, like on disk.
 * `modified` stands in for the server's last_modified of run folders.
 */
export class FakeContents {
  files = new Map<string, string>();
  modified = new Map<string, string>();
  /** Paths whose reads fail with this HTTP status (permission denied, server error). */
  failures = new Map<string, number>();
  /** Every path read, in order. */
  reads: string[] = [];

  async get(path: string, options?: { type?: string }) {
    this.reads.push(path);
    const failure = this.failures.get(path);
    if (failure !== undefined) {
      throw new FakeResponseError({ status: failure });
    }
    const file = this.files.get(path);
    if (file !== undefined) {
      if (options?.type === 'directory') {
        return { name: path.split('/').pop()!, path, type: 'file', content: null };
      }
      return { name: path.split('/').pop()!, path, type: 'file', content: file };
    }
    const prefix = path === '' ? '' : `${path}/`;
    const children = new Map<string, string>();
    for (const key of this.files.keys()) {
      if (key.startsWith(prefix)) {
        const rest = key.slice(prefix.length).split('/');
        children.set(rest[0], rest.length > 1 ? 'directory' : 'file');
      }
    }
    if (children.size === 0 || options?.type === 'file') {
      throw new FakeResponseError({ status: 404 });
    }
    return {
      name: path.split('/').pop()!,
      path,
      type: 'directory',
      content: [...children].map(([name, type]) => ({
        name,
        path: `${prefix}${name}`,
        type,
        last_modified: this.modified.get(`${prefix}${name}`) ?? '2026-11-28T00:00:00Z',
        content: null
      }))
    };
  }
}
