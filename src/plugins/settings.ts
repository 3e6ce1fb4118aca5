/**
 * `jupyterlab-pretext:plugin`: loads the Pretext settings (schema/plugin.json)
 * and provides them as IPretextSettings to the other Pretext plugins.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { PromiseDelegate } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import {
  ChartThemeSetting,
  DEFAULT_SETTINGS,
  IPretextSettingsValues,
  normalizeSettings
} from '../settings-values';
import { IPretextSettings, SETTINGS_PLUGIN_ID } from '../tokens';

/** Holds the current values; starts at the defaults so nobody waits to render. */
export class PretextSettings implements IPretextSettings {
  get runStoreRoot(): string {
    return this._values.runStoreRoot;
  }

  get defaultBatchSize(): number {
    return this._values.defaultBatchSize;
  }

  get defaultEpochs(): number {
    return this._values.defaultEpochs;
  }

  get chartTheme(): ChartThemeSetting {
    return this._values.chartTheme;
  }

  get trackingUri(): string {
    return this._values.trackingUri;
  }

  get ready(): Promise<void> {
    return this._ready.promise;
  }

  get changed(): ISignal<IPretextSettings, void> {
    return this._changed;
  }

  /**
   * Reads the stored settings and follows later edits. Without a registry (or
   * if loading fails) the defaults stay in force: settings must never stop the
   * renderers from working.
   */
  async load(registry: ISettingRegistry | null): Promise<void> {
    try {
      if (registry !== null) {
        const settings = await registry.load(SETTINGS_PLUGIN_ID);
        this._apply(settings.composite);
        settings.changed.connect(() => this._apply(settings.composite));
      }
    } catch (reason) {
      console.error('Pretext: could not load the settings; using the defaults.', reason);
    } finally {
      this._ready.resolve();
    }
  }

  private _apply(composite: unknown): void {
    const next = normalizeSettings(composite);
    const same = (Object.keys(next) as Array<keyof IPretextSettingsValues>).every(
      key => next[key] === this._values[key]
    );
    if (!same) {
      this._values = next;
      this._changed.emit();
    }
  }

  private _values: IPretextSettingsValues = { ...DEFAULT_SETTINGS };
  private _ready = new PromiseDelegate<void>();
  private _changed = new Signal<IPretextSettings, void>(this);
}

export const settingsPlugin: JupyterFrontEndPlugin<IPretextSettings> = {
  id: SETTINGS_PLUGIN_ID,
  description: 'Loads the Pretext settings and provides them to the other Pretext plugins.',
  autoStart: true,
  optional: [ISettingRegistry],
  provides: IPretextSettings,
  activate: (_app: JupyterFrontEnd, registry: ISettingRegistry | null): IPretextSettings => {
    const settings = new PretextSettings();
    // Not awaited: plugins that need the stored values wait on `settings.ready`.
    void settings.load(registry);
    return settings;
  }
};
