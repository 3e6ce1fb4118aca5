#!/usr/bin/env node
// Executes notebooks headless on the Pretext kernel and writes the executed copies.
// Usage: node scripts/run-notebooks.mjs [notebook ...] [--out DIR]
// Default: every examples/*.ipynb into build/examples/. Small size unless PRETEXT_FULL=1.
// Exits non-zero when any cell fails.
//
// A notebook whose metadata says `"pretext": { "needs": ["mlflow"] }` gets a tracking server:
// the user's own when PRETEXT_TRACKING_URI or MLFLOW_TRACKING_URI is set, else a throwaway
// `mlflow server` (127.0.0.1, a free port, SQLite and artifacts in a temporary folder) that
// is stopped and removed after the notebook ran. The kernel gets its address in both variables.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, VENV_BIN } from './setup/util.mjs';
import { startMlflow } from './mlflow-server.mjs';

/** What each `needs` entry starts. */
const SERVICES = ['mlflow'];

/** The services a notebook asks for in its metadata (`metadata.pretext.needs`). */
export function notebookNeeds(source) {
  const notebook = JSON.parse(readFileSync(source, 'utf8'));
  const needs = notebook.metadata?.pretext?.needs ?? [];
  if (!Array.isArray(needs) || needs.some(n => !SERVICES.includes(n))) {
    throw new Error(
      `${basename(source)}: metadata.pretext.needs must list some of ${SERVICES.join(', ')}, got ${JSON.stringify(needs)}.`
    );
  }
  return needs;
}

/**
 * Starts what `needs` lists and returns the kernel's environment additions and a stop().
 * With `useExisting` (the default) a tracking server already named by PRETEXT_TRACKING_URI or
 * MLFLOW_TRACKING_URI is used as it is; tests pass false to get a server of their own. `auth`
 * starts the throwaway server with MLflow's basic-auth app and passes its credentials the way
 * a user would (MLFLOW_TRACKING_USERNAME / _PASSWORD).
 * @param {string[]} needs
 * @param {{ useExisting?: boolean, auth?: boolean, log?: (line: string) => void }} [options]
 * @returns {Promise<{ env: Record<string, string>, mlflow?: { uri: string, own: boolean },
 *   stop: () => Promise<void> }>}
 */
export async function startServices(
  needs,
  { useExisting = true, auth = false, log = console.log } = {}
) {
  const services = { env: {}, mlflow: undefined, stop: async () => {} };
  if (!needs.includes('mlflow')) {
    return services;
  }
  const existing = process.env.PRETEXT_TRACKING_URI || process.env.MLFLOW_TRACKING_URI;
  if (useExisting && existing) {
    log(
      '[pretext demo] tracking on the server named by PRETEXT_TRACKING_URI / MLFLOW_TRACKING_URI'
    );
    services.mlflow = { uri: existing, own: false };
    services.env = { PRETEXT_TRACKING_URI: existing, MLFLOW_TRACKING_URI: existing };
    return services;
  }
  const dir = mkdtempSync(join(tmpdir(), 'pretext-mlflow-'));
  let server;
  try {
    server = await startMlflow(dir, { auth });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  log(`[pretext demo] started a throwaway MLflow server at ${server.uri} (data in ${dir})`);
  services.mlflow = { uri: server.uri, own: true, server };
  services.env = {
    PRETEXT_TRACKING_URI: server.uri,
    MLFLOW_TRACKING_URI: server.uri,
    ...(server.admin
      ? {
          MLFLOW_TRACKING_USERNAME: server.admin.username,
          MLFLOW_TRACKING_PASSWORD: server.admin.password
        }
      : {})
  };
  services.stop = async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return services;
}

// allowErrors keeps executing past a failing cell and writes the notebook with its errors
// (for tests of how a notebook fails).
export function executeNotebook(
  source,
  outDir,
  { timeoutSec = 3600, env = {}, allowErrors = false } = {}
) {
  mkdirSync(outDir, { recursive: true });
  const target = join(outDir, basename(source));
  copyFileSync(source, target);
  const started = Date.now();
  // Executed in place inside outDir, so the kernel's cwd (and its ./runs) is there, not examples/.
  const result = spawnSync(
    join(VENV_BIN, 'jupyter'),
    [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--inplace',
      `--ExecutePreprocessor.kernel_name=pretext`,
      `--ExecutePreprocessor.timeout=${timeoutSec}`,
      ...(allowErrors ? ['--allow-errors'] : []),
      target
    ],
    {
      cwd: outDir,
      // stderr is kept (and echoed) so a failing cell's own error can be named in the result:
      // a long log may be cut before nbconvert's traceback gets there.
      stdio: ['inherit', 'inherit', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, ...env, PATH: `${VENV_BIN}:${process.env.PATH}` }
    }
  );
  const stderr = result.stderr?.toString() ?? '';
  process.stderr.write(stderr);
  const ok = result.status === 0;
  return {
    target,
    ok,
    seconds: (Date.now() - started) / 1000,
    error: ok ? undefined : failedCell(stderr, result)
  };
}

/** The part of nbconvert's stderr that says which cell failed and how. */
function failedCell(stderr, result) {
  if (result.error) {
    return `nbconvert did not run: ${result.error.message}`;
  }
  const at = stderr.lastIndexOf('CellExecutionError');
  const text = at >= 0 ? stderr.slice(at) : stderr.slice(-3000);
  return text.length > 6000 ? `${text.slice(0, 3000)}\n[...]\n${text.slice(-3000)}` : text;
}

/** executeNotebook with the services the notebook needs, stopped afterwards. */
export async function runNotebook(source, outDir, { timeoutSec = 3600 } = {}) {
  const services = await startServices(notebookNeeds(source));
  try {
    return executeNotebook(source, outDir, { timeoutSec, env: services.env });
  } finally {
    await services.stop();
  }
}

async function main() {
  const args = process.argv.slice(2);
  const outFlag = args.indexOf('--out');
  const outDir = resolve(
    outFlag >= 0 ? args.splice(outFlag, 2)[1] : join(ROOT, 'build', 'examples')
  );
  const notebooks = args.length
    ? args.map(a => resolve(a))
    : readdirSync(join(ROOT, 'examples'))
        .filter(f => f.endsWith('.ipynb'))
        .sort()
        .map(f => join(ROOT, 'examples', f));
  const size = process.env.PRETEXT_FULL === '1' ? 'full' : 'small';
  // One cell may train several methods; at full size on a shared 2-core machine that took
  // over an hour, so the per-cell limit is generous there. PRETEXT_CELL_TIMEOUT overrides it.
  const timeoutSec =
    Number(process.env.PRETEXT_CELL_TIMEOUT) || (size === 'full' ? 6 * 3600 : 3600);
  let failed = 0;
  // Ctrl-C reaches nbconvert too; the runner then stops what it started instead of dying
  // with a throwaway server still running.
  let interrupted = false;
  process.on('SIGINT', () => {
    interrupted = true;
  });
  for (const notebook of notebooks) {
    if (interrupted) {
      break;
    }
    if (!existsSync(notebook)) {
      console.error(`No such notebook: ${notebook}`);
      failed++;
      continue;
    }
    console.log(`\n[pretext demo] executing ${basename(notebook)} (${size} size) -> ${outDir}`);
    let result;
    try {
      result = await runNotebook(notebook, outDir, { timeoutSec });
    } catch (error) {
      console.error(`[pretext demo] FAILED ${basename(notebook)}: ${error.message}`);
      failed++;
      continue;
    }
    const { ok, seconds, target } = result;
    console.log(
      `[pretext demo] ${ok ? 'ok' : 'FAILED'} ${basename(notebook)} in ${seconds.toFixed(1)} s -> ${target}`
    );
    if (!ok) {
      failed++;
    }
  }
  console.log(
    `\n[pretext demo] ${notebooks.length - failed} of ${notebooks.length} notebooks ran without errors`
  );
  process.exit(interrupted ? 130 : failed ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
