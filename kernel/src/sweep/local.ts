/**
 * Running one configuration headless on this machine: papermill executes the notebook on the
 * Pretext kernel with the configuration's values injected after its parameters cell.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PretextError } from '../util/errors';
import type { ParamSet } from './grid';

/** The repository root, when this library runs from a checkout (kernel/lib/sweep → ../../..). */
const REPO = path.resolve(__dirname, '..', '..', '..');

/** A tool from the project's .venv, else from PATH. */
export function venvTool(name: string): string {
  const local = path.join(REPO, '.venv', 'bin', name);
  return fs.existsSync(local) ? local : name;
}

export function papermillPath(): string {
  return process.env.PRETEXT_PAPERMILL || venvTool('papermill');
}

/** Fails early, with the fix, when papermill or the kernel is missing. */
export function checkKernel(kernel: string): void {
  const papermill = papermillPath();
  const version = spawnSync(papermill, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) {
    throw new PretextError(
      `papermill is not installed (tried ${papermill}).`,
      'Run npm run setup (it installs papermill into .venv), or set PRETEXT_PAPERMILL.'
    );
  }
  const jupyter = path.join(path.dirname(papermill), 'jupyter');
  const list = spawnSync(
    fs.existsSync(jupyter) ? jupyter : 'jupyter',
    ['kernelspec', 'list', '--json'],
    {
      encoding: 'utf8'
    }
  );
  let names: string[] = [];
  try {
    names = Object.keys(
      (JSON.parse(list.stdout) as { kernelspecs: Record<string, unknown> }).kernelspecs
    );
  } catch {
    // No usable answer: papermill will say what is wrong when it starts.
    return;
  }
  if (!names.includes(kernel)) {
    throw new PretextError(
      `There is no Jupyter kernel named '${kernel}' (installed: ${names.join(', ') || 'none'}).`,
      kernel === 'pretext'
        ? "Run npm run setup: it installs the kernelspec 'pretext' into .venv."
        : `Pass --kernel with one of: ${names.join(', ')}.`
    );
  }
}

export interface Execution {
  notebook: string;
  output: string;
  params: ParamSet;
  kernel: string;
  cwd: string;
  env: Record<string, string>;
  log: string;
}

/** The papermill command line for one configuration (also what a Ray job runs). */
export function papermillArgs(execution: Execution): string[] {
  return [
    execution.notebook,
    execution.output,
    '-k',
    execution.kernel,
    // JSON is YAML: papermill reads the values with their types (numbers, lists, null, ...).
    '-y',
    JSON.stringify(execution.params),
    '--cwd',
    execution.cwd,
    '--log-output',
    '--no-progress-bar'
  ];
}

export interface Outcome {
  ok: boolean;
  stopped: boolean;
  seconds: number;
  /** The last lines of papermill's output. */
  tail: string;
}

export function tailOf(text: string, lines = 20): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs one configuration; `signal` stops it (the whole process group, kernel included). */
export function runLocal(execution: Execution, signal: AbortSignal): Promise<Outcome> {
  const started = Date.now();
  fs.mkdirSync(execution.cwd, { recursive: true });
  const log = fs.openSync(execution.log, 'w');
  const child = spawn(papermillPath(), papermillArgs(execution), {
    cwd: execution.cwd,
    env: { ...process.env, ...execution.env },
    stdio: ['ignore', log, log],
    // Its own process group, so a stop reaches the kernel papermill started as well.
    detached: true
  });
  let stopped = false;
  const stop = () => {
    stopped = true;
    try {
      if (child.pid) {
        process.kill(-child.pid, 'SIGTERM');
      }
    } catch {
      // Already gone.
    }
  };
  if (signal.aborted) {
    stop();
  }
  signal.addEventListener('abort', stop, { once: true });
  return new Promise(resolve => {
    let finished = false;
    const finish = (code: number | null) => {
      if (finished) {
        return;
      }
      finished = true;
      signal.removeEventListener('abort', stop);
      fs.closeSync(log);
      const text = fs.existsSync(execution.log) ? fs.readFileSync(execution.log, 'utf8') : '';
      resolve({
        ok: code === 0 && !stopped,
        stopped,
        seconds: (Date.now() - started) / 1000,
        tail: tailOf(text)
      });
    };
    child.on('error', () => finish(null));
    child.on('exit', code => finish(code));
  });
}
