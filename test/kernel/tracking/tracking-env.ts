/**
 * Runs a test with only the given tracking configuration: PRETEXT_TRACKING_URI,
 * MLFLOW_TRACKING_URI and JupyterLab's settings folders are saved, replaced (the settings dir
 * by an empty temporary one unless given) and restored after, so a developer's own
 * environment or Settings > Pretext never leak into a test.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const NAMES = [
  'PRETEXT_TRACKING_URI',
  'MLFLOW_TRACKING_URI',
  'JUPYTERLAB_SETTINGS_DIR',
  'JUPYTER_CONFIG_DIR'
] as const;
type Name = (typeof NAMES)[number];

export async function withTrackingEnv<T>(
  vars: Partial<Record<Name, string>>,
  fn: (settingsDir: string) => Promise<T> | T
): Promise<T> {
  const saved = Object.fromEntries(NAMES.map(n => [n, process.env[n]]));
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-settings-'));
  for (const name of NAMES) {
    delete process.env[name];
  }
  process.env.JUPYTERLAB_SETTINGS_DIR = empty;
  Object.assign(process.env, vars);
  try {
    return await fn(process.env.JUPYTERLAB_SETTINGS_DIR ?? empty);
  } finally {
    for (const name of NAMES) {
      if (saved[name] === undefined) {
        delete process.env[name];
      } else {
        process.env[name] = saved[name];
      }
    }
    fs.rmSync(empty, { recursive: true, force: true });
  }
}

/** Writes the Pretext settings file JupyterLab would write under `settingsDir`. */
export function writeSettings(settingsDir: string, text: string): string {
  const file = path.join(settingsDir, 'jupyterlab-pretext', 'plugin.jupyterlab-settings');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}
