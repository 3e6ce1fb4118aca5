/**
 * Tokens other Pretext plugins (and third-party extensions) depend on.
 */
import { Token } from '@lumino/coreutils';
import { ISignal } from '@lumino/signaling';

import { IRunStoreModel } from './runs/model';
import { IPretextSettingsValues } from './settings-values';

export type { ChartThemeName, ChartThemeSetting, IPretextSettingsValues } from './settings-values';
export type { IRunFilter } from './runs/filter';
export type {
  IMetricsResult,
  IMetricPoint,
  IRunRecord,
  ITrackedCopy,
  IUnreadableRun,
  RunEntry
} from './runs/parse';
export type { ITrackingState } from './runs/mlflow';

/** Id of the settings plugin; also the key of schema/plugin.json. */
export const SETTINGS_PLUGIN_ID = 'jupyterlab-pretext:plugin';

/**
 * The user's Pretext settings. Values start at the schema defaults and are
 * replaced once the setting registry has loaded (see `ready`), so consumers
 * never wait on the registry to render.
 */
export interface IPretextSettings extends Readonly<IPretextSettingsValues> {
  /** Resolves when the stored settings have been read (or failed to load). */
  readonly ready: Promise<void>;
  /** Emitted after any value changed. */
  readonly changed: ISignal<IPretextSettings, void>;
}

export const IPretextSettings = new Token<IPretextSettings>(
  'jupyterlab-pretext:IPretextSettings',
  'The Pretext settings: run store root, snippet defaults and chart theme.'
);

/**
 * The runs in the run store (settings: runStoreRoot), read through the server's contents
 * API, and the tracking server's runs, read through the Pretext server extension, in one
 * list: listed, filtered and refreshed, with a signal on every change. The side panel's
 * runs browser is one view of it; other extensions may add more.
 */
export type IPretextRunStore = IRunStoreModel;

export const IPretextRunStore = new Token<IPretextRunStore>(
  'jupyterlab-pretext:IPretextRunStore',
  'The Pretext run store: runs listed from the run-store folder, with filters and refresh.'
);
