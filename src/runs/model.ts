/**
 * The run store as the side panel sees it: the runs under the run-store root, read through
 * the Jupyter server's contents API (so it works wherever the server runs, without a
 * server extension), filtered, refreshed on request, with a signal when anything changed.
 * No widgets here: the panel and any other plugin read it through IPretextRunStore.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { FilterField, IRunFilter, filterChoices, filterRuns } from './filter';
import { IMetricsResult, RunEntry, parseMetrics, parseRun, sortRuns } from './parse';

/** What the model needs of `Contents.IManager` (app.serviceManager.contents); tests fake it. */
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

/** The run store model's public face (also the IPretextRunStore token's type). */
export interface IRunStoreModel {
  /** Folder, relative to the server root, that holds one folder per run. */
  readonly root: string;
  /** Every run, newest first; unreadable ones last. */
  readonly runs: readonly RunEntry[];
  readonly filter: Readonly<IRunFilter>;
  /** The runs the filter lets through. */
  readonly filtered: readonly RunEntry[];
  /** Values each filter can take. */
  readonly choices: Readonly<Record<FilterField, string[]>>;
  /** Why the last refresh failed (server unreachable...), or null. */
  readonly error: string | null;
  /** Whether the root folder existed at the last refresh. */
  readonly rootExists: boolean;
  readonly refreshing: boolean;
  /** Emitted when a refresh found changes, and after a filter or root change. */
  readonly changed: ISignal<IRunStoreModel, void>;
  setRoot(root: string): void;
  setFilter(filter: IRunFilter): void;
  /** Re-reads the store. Never rejects: failures land in `error`. */
  refresh(): Promise<void>;
  find(id: string): RunEntry | undefined;
  /** Reads a run's metrics.jsonl (empty when the run has none yet). */
  metrics(id: string): Promise<IMetricsResult>;
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

function statusOf(error: unknown): number | undefined {
  const response = (error as { response?: { status?: unknown } } | null)?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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

export class RunStoreModel implements IRunStoreModel {
  constructor(contents: IContentsReader, root: string) {
    this._contents = contents;
    this._root = normalizeRoot(root);
  }

  get root(): string {
    return this._root;
  }

  get runs(): readonly RunEntry[] {
    return this._runs;
  }

  get filter(): Readonly<IRunFilter> {
    return this._filter;
  }

  get filtered(): readonly RunEntry[] {
    return filterRuns(this._runs, this._filter);
  }

  get choices(): Readonly<Record<FilterField, string[]>> {
    return filterChoices(this._runs);
  }

  get error(): string | null {
    return this._error;
  }

  get rootExists(): boolean {
    return this._rootExists;
  }

  get refreshing(): boolean {
    return this._inFlight !== null;
  }

  get changed(): ISignal<IRunStoreModel, void> {
    return this._changed;
  }

  setRoot(root: string): void {
    const next = normalizeRoot(root);
    if (next === this._root) {
      return;
    }
    this._root = next;
    this._runs = [];
    this._cache.clear();
    this._lastState = ''; // The next refresh always reports.
    this._changed.emit();
    void this.refresh();
  }

  setFilter(filter: IRunFilter): void {
    const next: IRunFilter = {};
    for (const field of ['method', 'dataset', 'status'] as const) {
      if (filter[field]) {
        next[field] = filter[field];
      }
    }
    this._filter = next;
    this._changed.emit();
  }

  find(id: string): RunEntry | undefined {
    return this._runs.find(run => run.id === id);
  }

  refresh(): Promise<void> {
    if (this._inFlight !== null) {
      // A refresh asked for during one must see files written after that one started.
      this._again = true;
      return this._inFlight;
    }
    this._inFlight = (async () => {
      try {
        do {
          this._again = false;
          try {
            await this._load();
          } catch (error) {
            this._error = `The run store could not be read: ${messageOf(error)}`;
          }
        } while (this._again);
      } finally {
        this._inFlight = null;
      }
      // Views redraw on `changed`; a periodic refresh that found nothing new must not
      // rebuild the list under the user's pointer.
      const state = this._state();
      if (state !== this._lastState) {
        this._lastState = state;
        this._changed.emit();
      }
    })();
    return this._inFlight;
  }

  async metrics(id: string): Promise<IMetricsResult> {
    const text = await this._readText(joinPath(this._root, id, 'metrics.jsonl'));
    if (text.error !== undefined) {
      throw new Error(`metrics.jsonl of run ${id} could not be read: ${text.error}`);
    }
    return parseMetrics(text.text ?? '');
  }

  /** Everything a view shows, as one string, to tell whether a refresh changed anything. */
  private _state(): string {
    return JSON.stringify([this._root, this._error, this._rootExists, this._runs]);
  }

  private async _load(): Promise<void> {
    const root = this._root;
    let listing: IContentsEntry;
    try {
      listing = await this._contents.get(root, { type: 'directory', content: true });
    } catch (error) {
      if (statusOf(error) === 404) {
        this._runs = [];
        this._rootExists = false;
        this._error = null;
      } else {
        this._error = `The run store '${root || '.'}' could not be listed: ${messageOf(error)}`;
      }
      return;
    }
    if (listing.type !== 'directory' || !Array.isArray(listing.content)) {
      this._runs = [];
      this._rootExists = false;
      this._error = `The run store root '${root}' is a file, not a folder; change "Run store root" in Settings > Pretext.`;
      return;
    }
    const folders = (listing.content as IContentsEntry[]).filter(
      entry => entry.type === 'directory' && !entry.name.startsWith('.')
    );
    const entries = await mapLimited(folders, PARALLEL_READS, folder =>
      this._readRun(root, folder)
    );
    if (root !== this._root) {
      return; // The root changed while reading; that refresh will fill the list.
    }
    this._runs = sortRuns(entries);
    this._rootExists = true;
    this._error = null;
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
  private _root: string;
  private _runs: RunEntry[] = [];
  private _filter: IRunFilter = {};
  private _error: string | null = null;
  private _rootExists = false;
  private _inFlight: Promise<void> | null = null;
  private _again = false;
  private _lastState = '';
  private _cache = new Map<string, { modified: string; entry: RunEntry }>();
  private _changed = new Signal<IRunStoreModel, void>(this);
}
