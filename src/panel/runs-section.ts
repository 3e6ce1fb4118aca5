/**
 * The side panel's runs browser: the run store's runs and the tracking server's (a source
 * badge per row) with filters and refresh; clicking a run shows its config, summary and
 * metrics; ticking two or more and pressing "Compare" draws their loss curves.
 *
 * This widget owns the toolbar, the status lines, the selection and the polling; the rows
 * (run-rows.ts, updated in place on each poll), the filter menus (run-filters.ts), the
 * details view (run-details.ts) and Compare (run-compare.ts) are its parts. The runs come
 * from the IPretextRunStore model (src/runs/model.ts).
 */
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { IChartThemeSource } from '../chart-theme';
import { el, setText } from '../renderers/dom';
import { runSource } from '../runs/mlflow';
import { IRunRecord } from '../runs/parse';
import { IPretextRunStore } from '../tokens';
import { RunCompare } from './run-compare';
import { RunDetails } from './run-details';
import { RunFilters } from './run-filters';
import { RunRows } from './run-rows';
import { setData } from './set-data';

/** How often a visible runs browser re-reads the store. */
const REFRESH_EVERY_MS = 10_000;

/** The status line: how many runs are shown and from where, or why there are none. */
function statusText(store: IPretextRunStore, shown: number): string {
  const remote = store.runs.filter(run => runSource(run) === 'mlflow').length;
  const plusRemote = remote > 0 ? ` and ${remote} on the tracking server` : '';
  if (store.error !== null) {
    return store.error;
  }
  if (!store.rootExists && !store.refreshing) {
    return `No run store at '${store.root}' yet${plusRemote}: train a model (runs are kept by default) or change "Run store root" in Settings > Pretext.`;
  }
  if (store.runs.length === 0) {
    return store.refreshing ? 'Reading the run store…' : `No runs in '${store.root}' yet.`;
  }
  const where = remote > 0 ? `'${store.root}' and the tracking server` : `'${store.root}'`;
  return `${shown} of ${store.runs.length} runs in ${where}`;
}

export class RunsSection extends Widget {
  constructor(store: IPretextRunStore, theme: IChartThemeSource) {
    super();
    this._store = store;
    this.id = 'jp-pretext-panel-runs';
    this.title.label = 'Runs';
    this.addClass('jp-PretextPanel-section');
    this.node.dataset.pretextSection = 'runs';

    const metrics = (id: string) => store.metrics(id);
    this._details = new RunDetails(theme, metrics);
    this._compare = new RunCompare(theme, metrics);
    this._filters = new RunFilters(filter => store.setFilter(filter));
    this._rows = new RunRows({
      onSelect: (id, selected) => {
        if (selected) {
          this._selected.add(id);
        } else {
          this._selected.delete(id);
        }
        this._updateCompareButton();
      },
      // The run as it is when clicked, not as it was when the row was made.
      onOpen: id => {
        const run = store.find(id);
        if (run?.kind === 'run') {
          this._rows.setActive(run.id);
          void this._details.show(run);
        }
      }
    });

    const toolbar = el('div', 'jp-PretextPanel-runsToolbar');
    const refresh = el('button', 'jp-Button jp-mod-styled jp-mod-reject', 'Refresh');
    refresh.type = 'button';
    refresh.dataset.pretextAction = 'refresh';
    refresh.addEventListener('click', () => void store.refresh());
    this._compareButton.type = 'button';
    this._compareButton.dataset.pretextAction = 'compare';
    this._compareButton.title = 'Tick two or more runs to compare their loss curves';
    this._compareButton.addEventListener('click', () => void this._compareSelected());
    toolbar.append(...this._filters.nodes, refresh, this._compareButton);

    this._status.dataset.pretextRole = 'runs-status';
    this._status.setAttribute('role', 'status');
    this._trackingLine.dataset.pretextRole = 'tracking-status';
    this._trackingLine.hidden = true;

    this.node.append(
      toolbar,
      this._status,
      this._trackingLine,
      this._rows.node,
      this._compare.node,
      this._details.node
    );
    store.changed.connect(this._render, this);
    this._render();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearInterval(this._poll);
    this._store.changed.disconnect(this._render, this);
    this._details.dispose();
    this._compare.dispose();
    super.dispose();
  }

  /**
   * Runs are written while the panel is hidden: re-read when it is shown, and every few
   * seconds while it stays visible, so a training run's status and loss move along. Finished
   * runs are cached by the model, so a refresh costs a listing and the unfinished runs' files.
   */
  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._store.refresh();
    window.clearInterval(this._poll);
    this._poll = window.setInterval(() => void this._store.refresh(), REFRESH_EVERY_MS);
  }

  protected onBeforeHide(msg: Message): void {
    window.clearInterval(this._poll);
    this._poll = undefined;
    super.onBeforeHide(msg);
  }

  private _render(): void {
    const store = this._store;
    // Ticks of runs that are gone (deleted, root changed) must not count towards Compare.
    for (const id of [...this._selected]) {
      if (store.find(id)?.kind !== 'run') {
        this._selected.delete(id);
      }
    }
    this._filters.render(store.choices, store.filter);
    const shown = store.filtered;
    setText(this._status, statusText(store, shown.length));
    this._status.classList.toggle('jp-mod-warning', store.error !== null);
    const tracking = store.tracking;
    this._trackingLine.hidden = tracking === null;
    setText(this._trackingLine, tracking?.line ?? '');
    setData(
      this._trackingLine,
      'pretextAvailable',
      tracking === null ? undefined : String(tracking.available)
    );
    const open = this._details.open;
    this._rows.render(shown, { open, selected: this._selected });
    const openRun = open === null ? undefined : store.find(open);
    if (openRun?.kind === 'run') {
      this._details.update(openRun);
    }
    this._updateCompareButton();
  }

  private _updateCompareButton(): void {
    const count = this._selected.size;
    this._compareButton.disabled = count < 2;
    this._compareButton.textContent = count >= 2 ? `Compare ${count}` : 'Compare';
  }

  private async _compareSelected(): Promise<void> {
    const runs = [...this._selected]
      .map(id => this._store.find(id))
      .filter((run): run is IRunRecord => run?.kind === 'run');
    await this._compare.compare(runs);
  }

  private _store: IPretextRunStore;
  private _rows: RunRows;
  private _filters: RunFilters;
  private _details: RunDetails;
  private _compare: RunCompare;
  private _status = el('div', 'jp-PretextPanel-runsStatus');
  private _trackingLine = el('div', 'jp-PretextPanel-trackingStatus');
  private _compareButton = el('button', 'jp-Button jp-mod-styled jp-mod-accept', 'Compare');
  private _selected = new Set<string>();
  private _poll: number | undefined = undefined;
}
