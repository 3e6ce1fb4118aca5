/**
 * The side panel's runs browser: the run store's runs with filters and refresh; clicking a
 * run shows its config, summary and metrics; ticking two or more and pressing "Compare"
 * draws their loss curves (src/runs/compare.ts) with the renderers' VegaChart.
 */
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { IChartThemeSource } from '../chart-theme';
import { el, errorBox } from '../renderers/dom';
import { VegaChart } from '../renderers/vega-chart';
import { ILossCurve, buildCompareSpec } from '../runs/compare';
import { latestMetrics, runMeta, summaryRows } from '../runs/describe';
import { FILTER_FIELDS, FilterField } from '../runs/filter';
import { IRunRecord, RunEntry, runLabel } from '../runs/parse';
import { IPretextRunStore } from '../tokens';

const FILTER_LABELS: Record<FilterField, string> = {
  method: 'method',
  dataset: 'dataset',
  status: 'status'
};

/** How often a visible runs browser re-reads the store. */
const REFRESH_EVERY_MS = 10_000;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class RunsSection extends Widget {
  constructor(store: IPretextRunStore, theme: IChartThemeSource) {
    super();
    this._store = store;
    this.id = 'jp-pretext-panel-runs';
    this.title.label = 'Runs';
    this.addClass('jp-PretextPanel-section');
    this.node.dataset.pretextSection = 'runs';

    this._detailsChart = new VegaChart(theme);
    this._compareChart = new VegaChart(theme);

    const toolbar = el('div', 'jp-PretextPanel-runsToolbar');
    for (const field of FILTER_FIELDS) {
      const select = el('select', 'jp-PretextPanel-filter');
      select.dataset.pretextFilter = field;
      select.title = `Show only runs with this ${FILTER_LABELS[field]}`;
      select.addEventListener('change', () => this._onFilterChanged());
      this._filters[field] = select;
      toolbar.appendChild(select);
    }
    const refresh = el('button', 'jp-Button jp-mod-styled jp-mod-reject', 'Refresh');
    refresh.type = 'button';
    refresh.dataset.pretextAction = 'refresh';
    refresh.addEventListener('click', () => void this._store.refresh());
    this._compareButton.type = 'button';
    this._compareButton.dataset.pretextAction = 'compare';
    this._compareButton.title = 'Tick two or more runs to compare their loss curves';
    this._compareButton.addEventListener('click', () => void this._compare());
    toolbar.append(refresh, this._compareButton);

    this._status.dataset.pretextRole = 'runs-status';
    this._status.setAttribute('role', 'status');
    this._list.dataset.pretextRole = 'run-list';

    this._compareBox.dataset.pretextRole = 'compare';
    this._compareMessage.dataset.pretextRole = 'compare-message';
    this._compareChart.node.dataset.pretextRole = 'compare-chart';
    this._compareBox.append(this._compareMessage, this._compareChart.node);
    this._compareBox.hidden = true;

    this._details.dataset.pretextRole = 'run-details';
    this._details.hidden = true;

    this.node.append(toolbar, this._status, this._list, this._compareBox, this._details);
    store.changed.connect(this._render, this);
    this._render();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    window.clearInterval(this._poll);
    this._store.changed.disconnect(this._render, this);
    this._detailsChart.dispose();
    this._compareChart.dispose();
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

  private _onFilterChanged(): void {
    const filter: Partial<Record<FilterField, string>> = {};
    for (const field of FILTER_FIELDS) {
      filter[field] = this._filters[field]!.value;
    }
    this._store.setFilter(filter);
  }

  private _render(): void {
    const store = this._store;
    // Ticks of runs that are gone (deleted, root changed) must not count towards Compare.
    for (const id of [...this._selected]) {
      if (store.find(id)?.kind !== 'run') {
        this._selected.delete(id);
      }
    }
    this._renderFilters();
    const shown = store.filtered;
    if (store.error !== null) {
      this._status.textContent = store.error;
    } else if (!store.rootExists && !store.refreshing) {
      this._status.textContent = `No run store at '${store.root}' yet: train a model (runs are kept by default) or change "Run store root" in Settings > Pretext.`;
    } else if (store.runs.length === 0) {
      this._status.textContent = store.refreshing
        ? 'Reading the run store…'
        : `No runs in '${store.root}' yet.`;
    } else {
      this._status.textContent = `${shown.length} of ${store.runs.length} runs in '${store.root}'`;
    }
    this._status.classList.toggle('jp-mod-warning', store.error !== null);
    this._list.replaceChildren(...shown.map(run => this._row(run)));
    this._updateCompareButton();
  }

  private _renderFilters(): void {
    const choices = this._store.choices;
    const filter = this._store.filter;
    for (const field of FILTER_FIELDS) {
      const select = this._filters[field]!;
      const current = filter[field] ?? '';
      const values =
        choices[field].includes(current) || current === ''
          ? choices[field]
          : [...choices[field], current];
      const any = el('option', undefined, `any ${FILTER_LABELS[field]}`);
      any.value = '';
      select.replaceChildren(
        any,
        ...values.map(value => {
          const option = el('option', undefined, value);
          option.value = value;
          return option;
        })
      );
      select.value = current;
    }
  }

  private _row(run: RunEntry): HTMLElement {
    const row = el('li', 'jp-PretextPanel-run');
    row.dataset.pretextRun = run.id;
    row.dataset.pretextKind = run.kind;
    row.classList.toggle('jp-mod-active', run.id === this._open);
    const check = el('input', 'jp-PretextPanel-runCheck');
    check.type = 'checkbox';
    check.dataset.pretextAction = 'select';
    check.title = 'Select for Compare';
    check.disabled = run.kind !== 'run';
    check.checked = this._selected.has(run.id);
    check.addEventListener('change', () => {
      if (check.checked) {
        this._selected.add(run.id);
      } else {
        this._selected.delete(run.id);
      }
      this._updateCompareButton();
    });
    const open = el('button', 'jp-PretextPanel-runOpen');
    open.type = 'button';
    open.dataset.pretextAction = 'open';
    open.title = 'Show config, summary and metrics';
    open.append(
      el('span', 'jp-PretextPanel-runLabel', runLabel(run)),
      el('span', 'jp-PretextPanel-runMeta', runMeta(run))
    );
    if (run.kind === 'run') {
      open.dataset.pretextStatus = run.status;
      open.addEventListener('click', () => void this._showDetails(run));
    } else {
      row.classList.add('jp-mod-unreadable');
      open.disabled = true;
    }
    row.append(check, open);
    return row;
  }

  private _updateCompareButton(): void {
    const count = this._selected.size;
    this._compareButton.disabled = count < 2;
    this._compareButton.textContent = count >= 2 ? `Compare ${count}` : 'Compare';
  }

  private async _showDetails(run: IRunRecord): Promise<void> {
    this._open = run.id;
    for (const row of this._list.querySelectorAll<HTMLElement>('.jp-PretextPanel-run')) {
      row.classList.toggle('jp-mod-active', row.dataset.pretextRun === run.id);
    }
    const details = this._details;
    details.hidden = false;
    details.dataset.pretextRun = run.id;
    const summary = el('dl', 'jp-PretextPanel-summaryList');
    for (const [label, value] of summaryRows(run)) {
      summary.append(el('dt', undefined, label), el('dd', undefined, value));
    }
    const notes = run.notes.map(note => el('p', 'jp-PretextPanel-note', note));
    const config = el('pre', 'jp-PretextPanel-config', JSON.stringify(run.config, null, 2));
    config.dataset.pretextRole = 'run-config';
    const metrics = el('div', 'jp-PretextPanel-metrics', 'Reading metrics…');
    metrics.dataset.pretextRole = 'run-metrics';
    details.replaceChildren(
      el('h3', 'jp-PretextPanel-detailsTitle', runLabel(run)),
      summary,
      ...notes,
      el('h4', undefined, 'Metrics'),
      metrics,
      this._detailsChart.node,
      el('h4', undefined, 'Config'),
      config
    );
    this._detailsChart.node.hidden = true;
    try {
      const result = await this._store.metrics(run.id);
      if (this._open !== run.id) {
        return; // Another run was clicked meanwhile.
      }
      const rows = latestMetrics(result);
      const text =
        result.points.length === 0
          ? 'No metrics recorded yet.'
          : `${result.points.length} steps recorded; latest: ${rows.map(([k, v]) => `${k} ${v}`).join(', ')}`;
      metrics.textContent =
        result.skipped > 0 ? `${text} (${result.skipped} unreadable lines skipped)` : text;
      if (result.points.some(p => p.loss !== null)) {
        this._detailsChart.node.hidden = false;
        await this._detailsChart.update(
          buildCompareSpec([{ label: runLabel(run), method: run.method, points: result.points }], {
            height: 110
          })
        );
      }
    } catch (error) {
      if (this._open === run.id) {
        metrics.replaceChildren(errorBox(errorText(error)));
      }
    }
  }

  private async _compare(): Promise<void> {
    const runs = [...this._selected]
      .map(id => this._store.find(id))
      .filter((run): run is IRunRecord => run?.kind === 'run');
    this._compareBox.hidden = false;
    this._compareMessage.textContent = `Reading the metrics of ${runs.length} runs…`;
    this._compareChart.node.hidden = true;
    const request = ++this._compareRequest;
    try {
      const curves: ILossCurve[] = await Promise.all(
        runs.map(async run => ({
          label: runLabel(run),
          method: run.method,
          points: (await this._store.metrics(run.id)).points
        }))
      );
      if (request !== this._compareRequest) {
        return;
      }
      const spec = buildCompareSpec(curves);
      this._compareMessage.textContent = `Loss curves of ${curves.map(c => c.label).join(', ')}`;
      this._compareChart.node.hidden = false;
      await this._compareChart.update(spec);
    } catch (error) {
      if (request === this._compareRequest) {
        this._compareMessage.replaceChildren(errorBox(errorText(error)));
      }
    }
  }

  private _store: IPretextRunStore;
  private _filters: Partial<Record<FilterField, HTMLSelectElement>> = {};
  private _status = el('div', 'jp-PretextPanel-runsStatus');
  private _list = el('ul', 'jp-PretextPanel-runList');
  private _compareButton = el('button', 'jp-Button jp-mod-styled jp-mod-accept', 'Compare');
  private _compareBox = el('div', 'jp-PretextPanel-compare');
  private _compareMessage = el('div', 'jp-PretextPanel-compareMessage');
  private _details = el('div', 'jp-PretextPanel-details');
  private _detailsChart: VegaChart;
  private _compareChart: VegaChart;
  private _selected = new Set<string>();
  private _open: string | null = null;
  private _compareRequest = 0;
  private _poll: number | undefined = undefined;
}
