// Run-store files as the kernel writes them (kernel/src/runs/store.ts, train/train.ts), for tests.

/** config.json as kernel/src/runs/store.ts createRun writes it. */
export function configJson(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: '20261128-021533-simclr-3f2a',
    created: '2026-11-28T02:15:33.000Z',
    method: 'simclr',
    task: { temperature: 0.5 },
    options: { epochs: 3, batchSize: 128 },
    dataset: { name: 'mnist', size: 1000, shape: [1000, 28, 28, 1] },
    seed: 0,
    ...overrides
  });
}

export function summaryJson(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    status: 'done',
    finalLoss: 1.2345,
    steps: 24,
    epochs: 3,
    seconds: 12.4,
    updated: '2026-11-28T02:16:00.000Z',
    ...overrides
  });
}

/** metrics.jsonl with a falling loss, one line per step. */
export function metricsJsonl(steps: number, start = 3): string {
  return Array.from({ length: steps }, (_, i) =>
    JSON.stringify({ step: i + 1, epoch: Math.floor(i / 10), loss: start / (1 + i / 5), lr: 0.001 })
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
