/**
 * The runs browser's details view of one run: its summary (redrawn in place when a refresh
 * changes it), notes, metrics line and loss chart, and config.
 */
import { IDisposable } from '@lumino/disposable';

import { IChartThemeSource } from '../chart-theme';
import { el, errorBox } from '../renderers/dom';
import { VegaChart } from '../renderers/vega-chart';
import { buildCompareSpec } from '../runs/compare';
import { latestMetrics, summaryRows } from '../runs/describe';
import { IMetricsResult, IRunRecord, runLabel } from '../runs/parse';
import { messageOf } from '../runs/request-errors';

export class RunDetails implements IDisposable {
  constructor(theme: IChartThemeSource, metrics: (id: string) => Promise<IMetricsResult>) {
    this._metrics = metrics;
    this._chart = new VegaChart(theme);
    this.node.dataset.pretextRole = 'run-details';
    this.node.hidden = true;
  }

  readonly node = el('div', 'jp-PretextPanel-details');

  /** The id of the run shown, or null. */
  get open(): string | null {
    return this._open;
  }

  get isDisposed(): boolean {
    return this._chart.isDisposed;
  }

  dispose(): void {
    this._chart.dispose();
  }

  async show(run: IRunRecord): Promise<void> {
    this._open = run.id;
    const details = this.node;
    details.hidden = false;
    details.dataset.pretextRun = run.id;
    const summary = el('dl', 'jp-PretextPanel-summaryList');
    summary.dataset.pretextRole = 'run-summary';
    this._summary = summary;
    this._summaryKey = '';
    this.update(run);
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
      this._chart.node,
      el('h4', undefined, 'Config'),
      config
    );
    this._chart.node.hidden = true;
    try {
      const result = await this._metrics(run.id);
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
        this._chart.node.hidden = false;
        await this._chart.update(
          buildCompareSpec([{ label: runLabel(run), method: run.method, points: result.points }], {
            height: 110
          })
        );
      }
    } catch (error) {
      if (this._open === run.id) {
        metrics.replaceChildren(errorBox(messageOf(error)));
      }
    }
  }

  /** The open run's summary list, redrawn only when a refresh changed it. */
  update(run: IRunRecord): void {
    const rows = summaryRows(run);
    const key = JSON.stringify(rows);
    if (this._summary === null || key === this._summaryKey) {
      return;
    }
    this._summaryKey = key;
    this._summary.replaceChildren(
      ...rows.flatMap(([label, value]) => [el('dt', undefined, label), el('dd', undefined, value)])
    );
  }

  private _metrics: (id: string) => Promise<IMetricsResult>;
  private _chart: VegaChart;
  private _open: string | null = null;
  private _summary: HTMLElement | null = null;
  private _summaryKey = '';
}
