/**
 * Which theme Pretext charts are drawn with, and when that changes.
 *
 * 'auto' follows the JupyterLab theme, read from the `data-jp-theme-light`
 * attribute JupyterLab sets on <body>; watching that attribute avoids a
 * dependency on the theme manager and also covers themes from other extensions.
 */
import { IDisposable } from '@lumino/disposable';
import { ISignal, Signal } from '@lumino/signaling';

import { ChartThemeName, ChartThemeSetting, resolveChartTheme } from './settings-values';
import { IPretextSettings } from './tokens';

/** What a chart needs to know about its theme. */
export interface IChartThemeSource {
  readonly current: ChartThemeName;
  /** Emitted when `current` changed; open charts redraw. */
  readonly changed: ISignal<IChartThemeSource, void>;
}

export class ChartThemeTracker implements IChartThemeSource, IDisposable {
  constructor(settings: IPretextSettings | null) {
    this._settings = settings;
    this._current = this._resolve();
    settings?.changed.connect(this._update, this);
    if (typeof MutationObserver !== 'undefined') {
      this._observer = new MutationObserver(() => this._update());
      this._observer.observe(document.body, {
        attributes: true,
        attributeFilter: ['data-jp-theme-light']
      });
    }
  }

  get current(): ChartThemeName {
    return this._current;
  }

  get changed(): ISignal<IChartThemeSource, void> {
    return this._changed;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    this._observer?.disconnect();
    this._settings?.changed.disconnect(this._update, this);
    Signal.clearData(this);
  }

  private _resolve(): ChartThemeName {
    const setting: ChartThemeSetting = this._settings?.chartTheme ?? 'auto';
    // Before a theme is loaded the attribute is absent: assume light, like JupyterLab.
    const isLight = document.body.dataset.jpThemeLight !== 'false';
    return resolveChartTheme(setting, isLight);
  }

  private _update(): void {
    const next = this._resolve();
    if (next !== this._current) {
      this._current = next;
      this._changed.emit();
    }
  }

  private _settings: IPretextSettings | null;
  private _current: ChartThemeName;
  private _observer: MutationObserver | null = null;
  private _changed = new Signal<IChartThemeSource, void>(this);
  private _isDisposed = false;
}
