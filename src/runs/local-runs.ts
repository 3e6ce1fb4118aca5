/**
 * The runs under the run-store root, read through the Jupyter server's contents API (so it
 * works wherever the server runs, without a server extension): one folder per run, its
 * config.json and summary.json parsed (src/runs/parse.ts), finished runs cached by the
 * folder's modification time, and a run's metrics.jsonl on request.
 * No widgets here; the run store model (src/runs/model.ts) polls it.
 */
import { IMetricsResult, RunEntry, parseMetrics, parseRun, sortRuns } from './parse';
import { messageOf, statusOf } from './request-errors';

/** What the reader needs of `Contents.IManager` (app.serviceManager.contents); tests fake it. */
export interface IContentsReader {
  get(
    path: string,
    options?: { type?: string; format?: 'text' | 'json' | 'base64' | null; content?: boolean }
  ): Promise<IContentsEntry>;
}

export interface IContentsEntry {
  name: string;
  path: string;
  type: string;
  last_modified?: string;
  content: unknown;
}

/** One listing of the root: its runs, whether it exists, or why it could not be read. */
export interface ILocalListing {
  /** Sorted newest first; absent when the listing failed (the last list stays shown). */
  runs?: RunEntry[];
  rootExists?: boolean;
  error: string | null;
}

/** Reads this many files at once, so a store with hundreds of runs does not flood the server. */
const PARALLEL_READS = 8;

const TERMINAL = ['done', 'stopped', 'failed'];

/** 'runs/', '/runs', ' runs ' -> 'runs'; the server root itself is ''. */
export function normalizeRoot(root: string): string {
  return root.trim().replace(/^\/+|\/+$/g, '');
}

function joinPath(...parts: string[]): string {
  return parts.filter(part => part !== '').join('/');
}

async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export class LocalRunReader {
  constructor(contents: IContentsReader) {
    this._contents = contents;
  }

  /** Forgets the cached runs (the root changed). */
  clear(): void {
    this._cache.clear();
  }

  /** Lists `root` and reads every run folder in it. Rejects only on unexpected failures. */
  async list(root: string): Promise<ILocalListing> {
    let listing: IContentsEntry;
    try {
      listing = await this._contents.get(root, { type: 'directory', content: true });
    } catch (error) {
      if (statusOf(error) === 404) {
        return { runs: [], rootExists: false, error: null };
      }
      return {
        error: `The run store '${root || '.'}' could not be listed: ${messageOf(error)}`
      };
    }
    if (listing.type !== 'directory' || !Array.isArray(listing.content)) {
      return {
        runs: [],
        rootExists: false,
        error: `The run store root '${root}' is a file, not a folder; change "Run store root" in Settings > Pretext.`
      };
    }
    const folders = (listing.content as IContentsEntry[]).filter(
      entry => entry.type === 'directory' && !entry.name.startsWith('.')
    );
    const entries = await mapLimited(folders, PARALLEL_READS, folder =>
      this._readRun(root, folder)
    );
    return { runs: sortRuns(entries), rootExists: true, error: null };
  }

  /** A run's metrics.jsonl (empty when it has none yet). */
  async metrics(root: string, id: string): Promise<IMetricsResult> {
    const text = await this._readText(joinPath(root, id, 'metrics.jsonl'));
    if (text.error !== undefined) {
      throw new Error(`metrics.jsonl of run ${id} could not be read: ${text.error}`);
    }
    return parseMetrics(text.text ?? '');
  }

  private async _readRun(root: string, folder: IContentsEntry): Promise<RunEntry> {
    const id = folder.name;
    const cached = this._cache.get(id);
    // A finished run's files no longer change; the folder's time changes when they do.
    if (cached && cached.modified === folder.last_modified) {
      return cached.entry;
    }
    const config = await this._readText(joinPath(root, id, 'config.json'));
    if (config.error !== undefined) {
      return { kind: 'unreadable', id, reason: `config.json could not be read: ${config.error}` };
    }
    const summary =
      config.text === null
        ? { text: null }
        : await this._readText(joinPath(root, id, 'summary.json'));
    const entry = parseRun(id, config.text, summary.text);
    if (entry.kind === 'run' && summary.error !== undefined) {
      entry.notes.push(`summary.json could not be read: ${summary.error}`);
    }
    if (entry.kind === 'run' && TERMINAL.includes(entry.status) && folder.last_modified) {
      this._cache.set(id, { modified: folder.last_modified, entry });
    } else {
      this._cache.delete(id);
    }
    return entry;
  }

  /** A file's text; null text when it does not exist; `error` when it could not be read. */
  private async _readText(path: string): Promise<{ text: string | null; error?: string }> {
    try {
      const file = await this._contents.get(path, { type: 'file', format: 'text', content: true });
      return typeof file.content === 'string'
        ? { text: file.content }
        : { text: null, error: 'the server did not return it as text' };
    } catch (error) {
      return statusOf(error) === 404 ? { text: null } : { text: null, error: messageOf(error) };
    }
  }

  private _contents: IContentsReader;
  private _cache = new Map<string, { modified: string; entry: RunEntry }>();
}
