/**
 * Renderer for `application/vnd.pretext.dashboard+json`, the live training
 * dashboard. The kernel overwrites the same display every few steps
 * (update_display_data), and JupyterLab calls renderModel again on this same
 * widget: the DOM is built once and then only its text, bar width and chart
 * data change, so the output does not flicker or lose its scroll position.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { IChartThemeSource } from '../chart-theme';
import { DASHBOARD_MIME_TYPE } from '../mime';
import { PretextRenderer } from './base';
import { el, setText } from './dom';
import { formatDuration, formatNumber, progressFraction } from './format';
import { Parsed } from './json';
import { IDashboardData, IDashboardProgress, isKnownStatus, parseDashboardData } from './models';
import { VegaChart } from './vega-chart';

/** The elements updated on each render, created once. */
interface IDashboardParts {
  title: HTMLElement;
  badge: HTMLElement;
  bar: HTMLElement;
  fill: HTMLElement;
  percent: HTMLElement;
  step: HTMLElement;
  epoch: HTMLElement;
  rate: HTMLElement;
  eta: HTMLElement;
  elapsed: HTMLElement;
  metrics: HTMLElement;
  message: HTMLElement;
  chartSlot: HTMLElement;
}

interface IMetricCell {
  node: HTMLElement;
  value: HTMLElement;
}

function buildParts(root: HTMLElement): IDashboardParts {
  const header = el('div', 'jp-Pretext-dashboard-header');
  const titleRow = el('div', 'jp-Pretext-dashboard-titleRow');
  const title = el('div', 'jp-Pretext-title');
  const badge = el('span', 'jp-Pretext-badge');
  titleRow.append(title, badge);

  const progressRow = el('div', 'jp-Pretext-progress-row');
  const bar = el('div', 'jp-Pretext-progress');
  bar.setAttribute('role', 'progressbar');
  bar.setAttribute('aria-valuemin', '0');
  bar.setAttribute('aria-valuemax', '100');
  const fill = el('div', 'jp-Pretext-progress-fill');
  bar.append(fill);
  const percent = el('span', 'jp-Pretext-progress-percent');
  progressRow.append(bar, percent);

  const stats = el('div', 'jp-Pretext-dashboard-stats');
  const step = el('span', 'jp-Pretext-stat');
  const epoch = el('span', 'jp-Pretext-stat');
  const rate = el('span', 'jp-Pretext-stat');
  const eta = el('span', 'jp-Pretext-stat');
  const elapsed = el('span', 'jp-Pretext-stat');
  stats.append(step, epoch, rate, eta, elapsed);
  header.append(titleRow, progressRow, stats);

  const metrics = el('div', 'jp-Pretext-metrics');
  const message = el('div', 'jp-Pretext-dashboard-message');
  const chartSlot = el('div', 'jp-Pretext-dashboard-chart');
  root.replaceChildren(header, metrics, message, chartSlot);
  return {
    title,
    badge,
    bar,
    fill,
    percent,
    step,
    epoch,
    rate,
    eta,
    elapsed,
    metrics,
    message,
    chartSlot
  };
}

/** Sets a stat's text and hides it when there is nothing to say. */
function setStat(node: HTMLElement, text: string | null): void {
  setText(node, text ?? '');
  node.hidden = text === null;
}

export class DashboardRenderer extends PretextRenderer<IDashboardData> {
  constructor(options: IRenderMime.IRendererOptions, theme: IChartThemeSource) {
    super(options, 'Pretext training dashboard');
    this._theme = theme;
    this.addClass('jp-Pretext-dashboard');
  }

  /** The loss chart, while the data carries one. */
  get chart(): VegaChart | null {
    return this._chart;
  }

  protected parse(data: unknown): Parsed<IDashboardData> {
    return parseDashboardData(data);
  }

  protected async render(data: IDashboardData): Promise<void> {
    const parts = (this._parts ??= buildParts(this.node));
    setText(parts.title, data.title);
    parts.title.hidden = data.title === '';
    this._renderStatus(parts, data.status);
    this._renderProgress(parts, data.progress, data.status);
    this._renderMetrics(parts, data.metrics);
    setText(parts.message, data.message ?? '');
    parts.message.hidden = !data.message;
    parts.message.classList.toggle('jp-mod-error', data.status === 'failed');
    await this._renderChart(parts, data);
  }

  protected reset(): void {
    this._chart?.dispose();
    this._chart = null;
    this._parts = null;
    this._metricCells.clear();
  }

  private _renderStatus(parts: IDashboardParts, status: string): void {
    setText(parts.badge, status);
    // The raw status never becomes a class name: only known values are styled.
    const modifier = isKnownStatus(status) ? status : 'unknown';
    parts.badge.className = `jp-Pretext-badge jp-mod-${modifier}`;
    this.node.dataset.status = modifier;
  }

  private _renderProgress(
    parts: IDashboardParts,
    progress: IDashboardProgress,
    status: string
  ): void {
    const fraction = progressFraction(progress.step, progress.totalSteps);
    const percent = Math.floor(fraction * 100);
    parts.fill.style.width = `${(fraction * 100).toFixed(2)}%`;
    parts.bar.setAttribute('aria-valuenow', String(percent));
    setText(parts.percent, `${percent}%`);

    setStat(
      parts.step,
      `Step ${formatNumber(progress.step)} / ${formatNumber(progress.totalSteps)}`
    );
    let epoch: string | null = null;
    if (progress.epoch !== undefined) {
      epoch =
        progress.totalEpochs !== undefined
          ? `Epoch ${formatNumber(progress.epoch)} / ${formatNumber(progress.totalEpochs)}`
          : `Epoch ${formatNumber(progress.epoch)}`;
    }
    setStat(parts.epoch, epoch);
    setStat(
      parts.rate,
      progress.samplesPerSec !== undefined
        ? `${formatNumber(progress.samplesPerSec)} samples/s`
        : null
    );
    // An ETA only means something while the run is going.
    setStat(
      parts.eta,
      progress.etaSec !== undefined && status === 'running'
        ? `ETA ${formatDuration(progress.etaSec)}`
        : null
    );
    setStat(
      parts.elapsed,
      progress.elapsedSec !== undefined ? `Elapsed ${formatDuration(progress.elapsedSec)}` : null
    );
  }

  private _renderMetrics(parts: IDashboardParts, metrics: IDashboardData['metrics']): void {
    const cells: HTMLElement[] = [];
    const seen = new Set<string>();
    for (const [name, value] of metrics) {
      let cell = this._metricCells.get(name);
      if (cell === undefined) {
        const node = el('div', 'jp-Pretext-metric');
        node.append(el('span', 'jp-Pretext-metric-name', name));
        const valueNode = el('span', 'jp-Pretext-metric-value');
        node.append(valueNode);
        cell = { node, value: valueNode };
        this._metricCells.set(name, cell);
      }
      setText(cell.value, formatNumber(value));
      cells.push(cell.node);
      seen.add(name);
    }
    for (const name of [...this._metricCells.keys()]) {
      if (!seen.has(name)) {
        this._metricCells.delete(name);
      }
    }
    // Re-append only when the set or order of metrics changed.
    const current = Array.from(parts.metrics.children);
    if (current.length !== cells.length || current.some((node, i) => node !== cells[i])) {
      parts.metrics.replaceChildren(...cells);
    }
    parts.metrics.hidden = cells.length === 0;
  }

  private async _renderChart(parts: IDashboardParts, data: IDashboardData): Promise<void> {
    if (data.chart === undefined) {
      this._chart?.dispose();
      this._chart = null;
      parts.chartSlot.replaceChildren();
      parts.chartSlot.hidden = true;
      return;
    }
    if (this._chart === null) {
      this._chart = new VegaChart(this._theme);
      parts.chartSlot.replaceChildren(this._chart.node);
    }
    parts.chartSlot.hidden = false;
    await this._chart.update(data.chart.spec);
  }

  private _theme: IChartThemeSource;
  private _parts: IDashboardParts | null = null;
  private _chart: VegaChart | null = null;
  private _metricCells = new Map<string, IMetricCell>();
}

export function dashboardRendererExtension(theme: IChartThemeSource): IRenderMime.IExtension {
  return {
    id: 'jupyterlab-pretext:dashboard-renderer',
    // Rank 0: preferred over the image/svg+xml fallback sent in the same bundle.
    rank: 0,
    dataType: 'json',
    rendererFactory: {
      safe: true,
      mimeTypes: [DASHBOARD_MIME_TYPE],
      defaultRank: 0,
      createRenderer: options => new DashboardRenderer(options, theme)
    }
  };
}
