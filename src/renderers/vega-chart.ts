/**
 * One Vega-Lite chart that can be updated in place: the piece shared by the
 * chart and dashboard renderers.
 *
 * Updates are coalesced (a dashboard may send several per second; only the
 * newest spec matters), data-only changes go through `view.data()` instead of
 * a new embed (see chart-plan.ts), and the view is finalized on dispose so
 * Vega's timers and listeners do not outlive the output.
 */
import { IDisposable } from '@lumino/disposable';
import type { Loader } from 'vega';
import embed, { EmbedOptions, Result, VisualizationSpec, vega } from 'vega-embed';

import { IChartThemeSource } from '../chart-theme';
import { ChartThemeName } from '../settings-values';
import { ISpecShape, canReplaceData, describeSpec, planChartUpdate } from './chart-plan';
import { DEFAULT_TEXT_COLORS, IChartTextColors, withTextColors } from './chart-text';
import { el, errorBox } from './dom';
import { cloneJson, isRecord } from './json';
import { VegaLiteSpec } from './models';
import { formatTooltip } from './tooltip';

/**
 * A loader that refuses network and file access. Notebooks are untrusted and
 * must replay offline, so Pretext specs carry their data inline; `data:` URIs
 * (thumbnails in image marks) are the one thing allowed through.
 */
function offlineLoader(): Loader {
  const base = vega.loader();
  const refuse = (uri: string): Promise<never> =>
    Promise.reject(new Error(`Pretext charts use inline data only; not loading '${uri}'.`));
  const isDataUri = (uri: string) => /^data:/i.test(uri);
  return {
    ...base,
    load: (uri, options) => (isDataUri(uri) ? base.load(uri, options) : refuse(uri)),
    sanitize: (uri, options) => (isDataUri(uri) ? base.sanitize(uri, options) : refuse(uri)),
    http: uri => refuse(uri),
    file: filename => refuse(filename)
  };
}

/**
 * A copy of `spec` for vega-embed without `usermeta.embedOptions`: vega-embed merges those
 * over the options given here, so an untrusted spec could switch the loader, mode, actions
 * or tooltip handler chosen for safety.
 */
export function specForEmbed(spec: VegaLiteSpec): VisualizationSpec {
  const copy = cloneJson(spec);
  if (isRecord(copy.usermeta) && 'embedOptions' in copy.usermeta) {
    const { embedOptions: _ignored, ...usermeta } = copy.usermeta;
    copy.usermeta = usermeta;
  }
  return copy as VisualizationSpec;
}

/**
 * Chart text colours: the JupyterLab theme's own font colours when the chart theme matches
 * it (the usual 'auto' case), fixed ones for a chart theme forced to differ.
 */
function textColors(theme: ChartThemeName): IChartTextColors {
  const jupyterIsLight = document.body.dataset.jpThemeLight !== 'false';
  const style = getComputedStyle(document.documentElement);
  const read = (name: string) => style.getPropertyValue(name).trim();
  const colors = {
    strong: read('--jp-ui-font-color0'),
    normal: read('--jp-ui-font-color1'),
    muted: read('--jp-ui-font-color2')
  };
  const usable = colors.strong !== '' && colors.normal !== '' && colors.muted !== '';
  return usable && (theme === 'light') === jupyterIsLight ? colors : DEFAULT_TEXT_COLORS[theme];
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class VegaChart implements IDisposable {
  readonly node: HTMLDivElement = el('div', 'jp-Pretext-chart-host');

  constructor(theme: IChartThemeSource) {
    this._theme = theme;
    theme.changed.connect(this._onThemeChanged, this);
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The live Vega view, if a chart is drawn (for tests and later plugins). */
  get view(): Result['view'] | null {
    return this._result?.view ?? null;
  }

  /**
   * Shows `spec`. Resolves once it (or a newer spec passed meanwhile) is on
   * screen. Never rejects: a spec Vega cannot draw shows an error box instead.
   */
  update(spec: VegaLiteSpec): Promise<void> {
    this._latest = spec;
    this._next = spec;
    if (this._draining === null) {
      this._draining = this._drain();
    }
    return this._draining;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._theme.changed.disconnect(this._onThemeChanged, this);
    this._finalize();
    this._next = null;
    this._latest = null;
  }

  private async _drain(): Promise<void> {
    try {
      while (this._next !== null && !this._isDisposed) {
        const spec = this._next;
        this._next = null;
        await this._apply(spec);
      }
    } finally {
      this._draining = null;
    }
  }

  private async _apply(spec: VegaLiteSpec): Promise<void> {
    const theme = this._theme.current;
    const shape = describeSpec(spec, theme);
    const plan = planChartUpdate(this._result ? this._shape : null, shape);
    if (plan.kind === 'none') {
      this._shape = shape;
      return;
    }
    const result = this._result;
    if (
      plan.kind === 'data' &&
      result !== null &&
      plan.changes.every(change => canReplaceData(result.vgSpec, change.name))
    ) {
      try {
        for (const change of plan.changes) {
          // Vega tags the tuples it ingests, so it gets its own copy.
          result.view.data(change.name, cloneJson(change.values));
        }
        // New values can need more room (wider axis labels): without resize() Vega keeps
        // the first layout and crops the axes and title of a live chart (seen in the
        // browser test; a second runAsync() alone does not help).
        result.view.resize();
        await result.view.runAsync();
        this._shape = shape;
        return;
      } catch (error) {
        console.warn('Pretext: updating the chart in place failed; redrawing it.', error);
      }
    }
    await this._embed(spec, shape, theme);
  }

  private async _embed(
    spec: VegaLiteSpec,
    shape: ISpecShape,
    theme: ChartThemeName
  ): Promise<void> {
    this._finalize();
    const host = el('div', 'jp-Pretext-chart-view');
    this.node.replaceChildren(host);
    const options: EmbedOptions = {
      mode: 'vega-lite',
      actions: false,
      renderer: 'svg',
      // vega-embed's default CSS only styles the actions menu, which is off.
      defaultStyle: false,
      loader: offlineLoader(),
      theme: theme === 'dark' ? 'dark' : undefined,
      // Our formatter: escapes everything and shows only data:image thumbnails (tooltip.ts).
      tooltip: { formatTooltip, theme: theme === 'dark' ? 'dark' : 'light' }
    };
    try {
      const themed = withTextColors(spec, textColors(theme));
      const result = await embed(host, specForEmbed(themed), options);
      if (this._isDisposed) {
        result.finalize();
        return;
      }
      this._result = result;
      this._shape = shape;
    } catch (error) {
      this._shape = null;
      this.node.replaceChildren(errorBox(`The chart could not be drawn: ${errorMessage(error)}`));
    }
  }

  private _finalize(): void {
    if (this._result !== null) {
      this._result.finalize();
      this._result = null;
    }
    this._shape = null;
  }

  private _onThemeChanged(): void {
    // The theme is part of the structure key, so this re-embeds.
    if (this._latest !== null && !this._isDisposed) {
      void this.update(this._latest);
    }
  }

  private _theme: IChartThemeSource;
  private _result: Result | null = null;
  private _shape: ISpecShape | null = null;
  private _latest: VegaLiteSpec | null = null;
  private _next: VegaLiteSpec | null = null;
  private _draining: Promise<void> | null = null;
  private _isDisposed = false;
}
