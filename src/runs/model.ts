/**
 * The run store as the side panel sees it: the runs under the run-store root
 * (src/runs/local-runs.ts) and, when a tracking reader is given, the tracking server's runs
 * (src/runs/tracking-source.ts), merged into one list (src/runs/merge.ts) and filtered
 * (src/runs/filter.ts); refreshed on request, one refresh at a time, with a signal only when
 * anything a view shows changed.
 * No widgets here: the panel and any other plugin read it through IPretextRunStore.
 */
import { ISignal, Signal } from '@lumino/signaling';

import { FilterField, IRunFilter, filterChoices, filterRuns } from './filter';
import { IContentsReader, LocalRunReader, normalizeRoot } from './local-runs';
import { mergeRuns } from './merge';
import { ITrackingState } from './mlflow';
import { IMetricsResult, RunEntry } from './parse';
import { messageOf } from './request-errors';
import { ITrackingReader, TrackingSource } from './tracking-source';

// The model's inputs, named where they are used; src/plugins and src/runs/tracking-client.ts
// import them from here, with the model.
export type { IContentsEntry, IContentsReader } from './local-runs';
export type { ITrackingReader } from './tracking-source';

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
  /** Which tracking server's runs are listed, or why none are; null without a reader. */
  readonly tracking: ITrackingState | null;
  readonly refreshing: boolean;
  /** Emitted when a refresh found changes, and after a filter or root change. */
  readonly changed: ISignal<IRunStoreModel, void>;
  setRoot(root: string): void;
  setFilter(filter: IRunFilter): void;
  /** Re-reads the store. Never rejects: failures land in `error`. */
  refresh(): Promise<void>;
  find(id: string): RunEntry | undefined;
  /**
   * A run's metrics: metrics.jsonl for a local run (empty when it has none yet), the loss
   * history on the tracking server for a run that is only there.
   */
  metrics(id: string): Promise<IMetricsResult>;
}

export class RunStoreModel implements IRunStoreModel {
  constructor(contents: IContentsReader, root: string, tracking?: ITrackingReader) {
    this._local = new LocalRunReader(contents);
    this._root = normalizeRoot(root);
    this._tracking = tracking === undefined ? null : new TrackingSource(tracking);
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

  get tracking(): ITrackingState | null {
    return this._tracking?.state ?? null;
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
    this._localRuns = [];
    this._runs = this._merged();
    this._local.clear();
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
    const run = this.find(id);
    const copy = run?.kind === 'run' ? run.tracked : undefined;
    if (copy !== undefined && !copy.local && this._tracking !== null) {
      return this._tracking.metrics(copy);
    }
    return this._local.metrics(this._root, id);
  }

  /** Everything a view shows, as one string, to tell whether a refresh changed anything. */
  private _state(): string {
    return JSON.stringify([this._root, this._error, this._rootExists, this._runs, this.tracking]);
  }

  private async _load(): Promise<void> {
    // Both sources at once; neither one's failure hides the other's runs.
    const [local] = await Promise.allSettled([this._loadLocal(), this._tracking?.load()]);
    this._runs = this._merged();
    if (local.status === 'rejected') {
      throw local.reason;
    }
  }

  private async _loadLocal(): Promise<void> {
    const root = this._root;
    const listing = await this._local.list(root);
    if (listing.rootExists === true && root !== this._root) {
      return; // The root changed while reading; that refresh will fill the list.
    }
    // A failed listing keeps the last list: only its error is new.
    if (listing.runs !== undefined) {
      this._localRuns = listing.runs;
    }
    if (listing.rootExists !== undefined) {
      this._rootExists = listing.rootExists;
    }
    this._error = listing.error;
  }

  private _merged(): RunEntry[] {
    const remote = this._tracking?.reply ?? null;
    if (remote === null || !remote.available || remote.runs.length === 0) {
      return this._localRuns;
    }
    return mergeRuns(this._localRuns, remote.runs, remote.host ?? 'tracking server');
  }

  private _local: LocalRunReader;
  private _tracking: TrackingSource | null;
  private _root: string;
  /** What the local store gave at the last refresh; `_runs` is the merged list views show. */
  private _localRuns: RunEntry[] = [];
  private _runs: RunEntry[] = [];
  private _filter: IRunFilter = {};
  private _error: string | null = null;
  private _rootExists = false;
  private _inFlight: Promise<void> | null = null;
  private _again = false;
  private _lastState = '';
  private _changed = new Signal<IRunStoreModel, void>(this);
}
