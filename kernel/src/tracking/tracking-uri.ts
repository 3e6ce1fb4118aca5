/**
 * Which MLflow tracking server a kernel talks to, decided in one place for training, the
 * callbacks, syncRuns, exportEncoder({ register }) and loadEncoder('models:/...'): the
 * explicit `tracking` option, else PRETEXT_TRACKING_URI, else MLFLOW_TRACKING_URI, else the
 * `trackingUri` entry of JupyterLab's Settings > Pretext (the file JupyterLab writes, read on
 * every call so a changed setting applies without restarting the kernel).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import JSON5 from 'json5';
import { PretextError } from '../util/errors';
import { redactUri } from './mlflow-http';

/** The command that starts a local tracking server, as the error messages print it. */
export const MLFLOW_SERVER_COMMAND =
  'mlflow server --host 127.0.0.1 --port 5000 --backend-store-uri sqlite:///mlflow.db --artifacts-destination ./mlartifacts';

/** How to configure a server, for "no tracking server" messages. */
export const TRACKING_FIX = `start one (${MLFLOW_SERVER_COMMAND}), then pass { tracking: 'http://127.0.0.1:5000' }, set PRETEXT_TRACKING_URI or MLFLOW_TRACKING_URI, or enter it in JupyterLab's Settings > Pretext > Tracking URI`;

export type TrackingSource =
  'option' | 'PRETEXT_TRACKING_URI' | 'MLFLOW_TRACKING_URI' | 'JupyterLab settings';

export interface ResolvedTracking {
  uri: string;
  source: TrackingSource;
  /** The settings file, when the URI came from it. */
  file?: string;
}

/** JupyterLab's user-settings file of this extension (it need not exist). */
export function settingsFile(env: NodeJS.ProcessEnv = process.env): string {
  const configDir = env.JUPYTER_CONFIG_DIR || path.join(os.homedir(), '.jupyter');
  const settingsDir = env.JUPYTERLAB_SETTINGS_DIR || path.join(configDir, 'lab', 'user-settings');
  return path.join(settingsDir, 'jupyterlab-pretext', 'plugin.jupyterlab-settings');
}

/** The `trackingUri` setting, or undefined when the file or the entry is absent or empty. */
export function settingsTrackingUri(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = settingsFile(env);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    // No settings saved yet (or unreadable, which JupyterLab itself would not get past).
    return undefined;
  }
  const fix = `Correct or delete ${file} (JupyterLab's Settings > Pretext rewrites it), or set PRETEXT_TRACKING_URI, which takes precedence over it.`;
  let settings: unknown;
  try {
    // JupyterLab writes JSON5: comments and trailing commas are allowed.
    settings = text.trim() === '' ? {} : JSON5.parse(text);
  } catch (error) {
    throw new PretextError(
      `The JupyterLab settings file ${file} is not valid JSON5: ${(error as Error).message.replace(/^JSON5: /, '')}.`,
      fix
    );
  }
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
    throw new PretextError(
      `The JupyterLab settings file ${file} holds ${Array.isArray(settings) ? 'an array' : String(settings)}, not an object of settings.`,
      fix
    );
  }
  const value = (settings as Record<string, unknown>).trackingUri;
  if (value === undefined || value === null || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new PretextError(
      `trackingUri in the JupyterLab settings file ${file} must be a string, got ${JSON.stringify(value)}.`,
      fix
    );
  }
  return value.trim() || undefined;
}

/**
 * The tracking server to use and where that came from, or undefined when none is configured
 * (or `tracking` is false). A value that is not an http(s) URL is an error naming its source.
 */
export function resolveTracking(
  tracking: string | false | undefined,
  env: NodeJS.ProcessEnv = process.env
): ResolvedTracking | undefined {
  if (tracking === false) {
    return undefined;
  }
  let found: ResolvedTracking | undefined;
  if (tracking !== undefined && tracking !== '') {
    found = { uri: tracking, source: 'option' };
  } else if (env.PRETEXT_TRACKING_URI) {
    found = { uri: env.PRETEXT_TRACKING_URI, source: 'PRETEXT_TRACKING_URI' };
  } else if (env.MLFLOW_TRACKING_URI) {
    found = { uri: env.MLFLOW_TRACKING_URI, source: 'MLFLOW_TRACKING_URI' };
  } else {
    const fromSettings = settingsTrackingUri(env);
    if (fromSettings) {
      found = { uri: fromSettings, source: 'JupyterLab settings', file: settingsFile(env) };
    }
  }
  if (!found) {
    return undefined;
  }
  if (typeof found.uri !== 'string' || !/^https?:\/\/./i.test(found.uri)) {
    const where =
      found.source === 'option'
        ? 'the tracking option'
        : found.source === 'JupyterLab settings'
          ? `trackingUri in ${found.file}`
          : found.source;
    throw new PretextError(
      `The tracking URI '${redactUri(String(found.uri))}' (from ${where}) is not an http(s) address of an MLflow server.`,
      `Give the server's address, e.g. 'http://127.0.0.1:5000' (start one: ${MLFLOW_SERVER_COMMAND}); tracking: false turns tracking off.`
    );
  }
  return found;
}

/** The tracking URI to use (see resolveTracking), or undefined when none is configured. */
export function resolveTrackingUri(
  tracking: string | false | undefined,
  env: NodeJS.ProcessEnv = process.env
): string | undefined {
  return resolveTracking(tracking, env)?.uri;
}
