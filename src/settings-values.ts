/**
 * Plain values of the Pretext settings (schema/plugin.json) and the pure
 * functions that read them. No JupyterLab imports here, so unit tests can load
 * this file directly.
 */

export type ChartThemeSetting = 'auto' | 'light' | 'dark';

/** A theme a chart can actually be drawn with, once 'auto' is resolved. */
export type ChartThemeName = 'light' | 'dark';

export interface IPretextSettingsValues {
  /** Folder (relative to the server root) holding the run store. */
  runStoreRoot: string;
  defaultBatchSize: number;
  defaultEpochs: number;
  chartTheme: ChartThemeSetting;
  /**
   * MLflow tracking server for the runs browser ('' = the server's MLFLOW_TRACKING_URI). Only
   * shown here: the server extension and the kernel read it from the settings file themselves.
   */
  trackingUri: string;
}

/** Must match the defaults in schema/plugin.json. */
export const DEFAULT_SETTINGS: Readonly<IPretextSettingsValues> = Object.freeze({
  runStoreRoot: 'runs',
  defaultBatchSize: 256,
  defaultEpochs: 10,
  chartTheme: 'auto',
  trackingUri: ''
});

const CHART_THEMES: readonly string[] = ['auto', 'light', 'dark'];

function positiveInteger(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * Reads a composite settings object, keeping each valid field and falling back
 * to the default for anything missing or malformed (a hand-edited settings file
 * must not break the extension).
 */
export function normalizeSettings(raw: unknown): IPretextSettingsValues {
  const source = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const root = source.runStoreRoot;
  const theme = source.chartTheme;
  const tracking = source.trackingUri;
  return {
    runStoreRoot:
      typeof root === 'string' && root.trim() !== '' ? root.trim() : DEFAULT_SETTINGS.runStoreRoot,
    defaultBatchSize: positiveInteger(source.defaultBatchSize, DEFAULT_SETTINGS.defaultBatchSize),
    defaultEpochs: positiveInteger(source.defaultEpochs, DEFAULT_SETTINGS.defaultEpochs),
    chartTheme:
      typeof theme === 'string' && CHART_THEMES.includes(theme)
        ? (theme as ChartThemeSetting)
        : DEFAULT_SETTINGS.chartTheme,
    trackingUri: typeof tracking === 'string' ? tracking.trim() : DEFAULT_SETTINGS.trackingUri
  };
}

/** Resolves the chart theme setting against the current JupyterLab theme. */
export function resolveChartTheme(
  setting: ChartThemeSetting,
  jupyterThemeIsLight: boolean
): ChartThemeName {
  if (setting === 'light' || setting === 'dark') {
    return setting;
  }
  return jupyterThemeIsLight ? 'light' : 'dark';
}
