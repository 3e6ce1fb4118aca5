/**
 * Renderer for `application/vnd.pretext.chart+json`: `{ spec, title? }`, a
 * Vega-Lite v6 chart drawn with the vega-embed bundled here (JupyterLab's own
 * Vega renderer stops at Vega-Lite v5).
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { IChartThemeSource } from '../chart-theme';
import { CHART_MIME_TYPE } from '../mime';
import { PretextRenderer } from './base';
import { el, setText } from './dom';
import { Parsed } from './json';
import { IChartData, parseChartData } from './models';
import { VegaChart } from './vega-chart';

export class ChartRenderer extends PretextRenderer<IChartData> {
  constructor(options: IRenderMime.IRendererOptions, theme: IChartThemeSource) {
    super(options, 'Pretext chart');
    this._theme = theme;
    this.addClass('jp-Pretext-chart');
  }

  /** The chart, once rendered (tests and the dashboard use the same class). */
  get chart(): VegaChart | null {
    return this._chart;
  }

  protected parse(data: unknown): Parsed<IChartData> {
    return parseChartData(data);
  }

  protected async render(data: IChartData): Promise<void> {
    if (this._chart === null || this._title === null) {
      this._title = el('div', 'jp-Pretext-title');
      this._chart = new VegaChart(this._theme);
      this.node.replaceChildren(this._title, this._chart.node);
    }
    setText(this._title, data.title ?? '');
    this._title.hidden = !data.title;
    await this._chart.update(data.spec);
  }

  protected reset(): void {
    this._chart?.dispose();
    this._chart = null;
    this._title = null;
  }

  private _theme: IChartThemeSource;
  private _chart: VegaChart | null = null;
  private _title: HTMLElement | null = null;
}

export function chartRendererExtension(theme: IChartThemeSource): IRenderMime.IExtension {
  return {
    id: 'jupyterlab-pretext:chart-renderer',
    // Rank 0: preferred over the image/svg+xml fallback sent in the same bundle.
    rank: 0,
    dataType: 'json',
    rendererFactory: {
      safe: true,
      mimeTypes: [CHART_MIME_TYPE],
      defaultRank: 0,
      createRenderer: options => new ChartRenderer(options, theme)
    }
  };
}
