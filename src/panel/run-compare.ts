/**
 * The runs browser's Compare view: the loss curves of the ticked runs in one chart
 * (src/runs/compare.ts), drawn with the renderers' VegaChart; a newer request wins.
 */
import { IDisposable } from '@lumino/disposable';

import { IChartThemeSource } from '../chart-theme';
import { el, errorBox } from '../renderers/dom';
import { VegaChart } from '../renderers/vega-chart';
import { ILossCurve, buildCompareSpec } from '../runs/compare';
import { IMetricsResult, IRunRecord, runLabel } from '../runs/parse';
import { messageOf } from '../runs/request-errors';

export class RunCompare implements IDisposable {
  constructor(theme: IChartThemeSource, metrics: (id: string) => Promise<IMetricsResult>) {
    this._metrics = metrics;
    this._chart = new VegaChart(theme);
    this.node.dataset.pretextRole = 'compare';
    this._message.dataset.pretextRole = 'compare-message';
    this._chart.node.dataset.pretextRole = 'compare-chart';
    this.node.append(this._message, this._chart.node);
    this.node.hidden = true;
  }

  readonly node = el('div', 'jp-PretextPanel-compare');

  get isDisposed(): boolean {
    return this._chart.isDisposed;
  }

  dispose(): void {
    this._chart.dispose();
  }

  async compare(runs: readonly IRunRecord[]): Promise<void> {
    this.node.hidden = false;
    this._message.textContent = `Reading the metrics of ${runs.length} runs…`;
    this._chart.node.hidden = true;
    const request = ++this._request;
    try {
      const curves: ILossCurve[] = await Promise.all(
        runs.map(async run => ({
          label: runLabel(run),
          method: run.method,
          points: (await this._metrics(run.id)).points
        }))
      );
      if (request !== this._request) {
        return;
      }
      const spec = buildCompareSpec(curves);
      this._message.textContent = `Loss curves of ${curves.map(c => c.label).join(', ')}`;
      this._chart.node.hidden = false;
      await this._chart.update(spec);
    } catch (error) {
      if (request === this._request) {
        this._message.replaceChildren(errorBox(messageOf(error)));
      }
    }
  }

  private _metrics: (id: string) => Promise<IMetricsResult>;
  private _chart: VegaChart;
  private _message = el('div', 'jp-PretextPanel-compareMessage');
  private _request = 0;
}
