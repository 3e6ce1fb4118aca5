/**
 * `pretext sweep`: checks the grid against the notebook's parameters cell, then runs each
 * configuration headless (here, or as Ray jobs), one progress line each, saving every executed
 * notebook and writing the report after every configuration, so a stopped sweep still has one.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PretextError } from '../util/errors';
import { checkOverrides } from '../util/params';
import { describeConfig, expandSpec, varyingNames, type SweepConfig, type SweepSpec } from './grid';
import { checkKernel, runLocal, tailOf, type Execution, type Outcome } from './local';
import { readNotebookParameters } from './notebook';
import { checkRay, runOnRay, type RayOptions } from './ray';
import { SweepReport, sweepRows } from './report';
import { runStoreRoot } from './run-files';
import {
  configDifferences,
  configDir,
  readManifest,
  readResult,
  sweepIds,
  sweepsRoot,
  writeManifest,
  writeResult,
  type ConfigResult,
  type SweepManifest
} from './sweep-store';

export interface SweepOptions {
  notebook: string;
  spec: SweepSpec;
  /** The sweep's id (default: <notebook name>-<UTC time>). */
  id?: string;
  /** Where sweeps live (default ./sweeps). */
  root?: string;
  /** The run store every configuration writes to (default PRETEXT_RUNS, else ./runs). */
  runStore?: string;
  /** Skip configurations that finished; the grid must be unchanged. */
  resume?: boolean;
  /** Configurations at once (default: one per two cores, at least one). */
  concurrency?: number;
  kernel?: string;
  /** Run at the notebook's full size (PRETEXT_FULL=1). */
  full?: boolean;
  ray?: RayOptions;
  /** Stops the sweep cleanly (Ctrl-C): running configurations are stopped and marked. */
  signal?: AbortSignal;
  log?: (line: string) => void;
}

export interface SweepOutcome {
  id: string;
  dir: string;
  report: SweepReport;
  files: { markdown: string; html: string; json: string };
  done: number;
  failed: number;
  stopped: boolean;
}

function stamp(now = new Date()): string {
  return now.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '');
}

function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/\.ipynb$/, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'sweep'
  );
}

/** The sweep to resume: the given id, else the newest sweep of this notebook. */
function resumeId(root: string, notebook: string, id: string | undefined): string {
  if (id) {
    return id;
  }
  const mine = sweepIds(root).filter(s => readManifest(path.join(root, s))?.notebook === notebook);
  if (!mine.length) {
    throw new PretextError(
      `There is no sweep of ${notebook} in ${root} to resume.`,
      'Run it without --resume first, or pass --id <sweep id>.'
    );
  }
  return mine[mine.length - 1];
}

/** Checks the notebook and grid before anything runs; returns the expanded configurations. */
export function planSweep(notebook: string, spec: SweepSpec): SweepConfig[] {
  const { declared } = readNotebookParameters(notebook);
  const configs = expandSpec(spec);
  for (const config of configs) {
    checkOverrides(declared, config.params, `The sweep (configuration ${config.id})`);
  }
  return configs;
}

export async function runSweep(options: SweepOptions): Promise<SweepOutcome> {
  const log = options.log ?? (line => console.log(line));
  const notebook = path.resolve(options.notebook);
  const kernel = options.kernel ?? 'pretext';
  const configs = planSweep(notebook, options.spec);
  if (options.ray) {
    await checkRay(options.ray.address);
  } else {
    checkKernel(kernel);
  }

  const root = sweepsRoot(options.root);
  const id = options.resume
    ? resumeId(root, notebook, options.id)
    : (options.id ?? `${slug(path.basename(notebook))}-${stamp()}`);
  const dir = path.join(root, id);
  let manifest = readManifest(dir);
  if (options.resume) {
    if (!manifest) {
      throw new PretextError(
        `There is no sweep '${id}' in ${root} to resume.`,
        'Check the id (the folder name under sweeps/), or run without --resume.'
      );
    }
    const differences = configDifferences(manifest.configs, configs);
    if (differences.length) {
      throw new PretextError(
        `The grid changed since sweep ${id} started: ${differences.join('; ')}.`,
        'Resume with the same grid, or start a new sweep (without --resume, or with a new --id).'
      );
    }
  } else {
    if (manifest) {
      throw new PretextError(
        `Sweep ${id} already exists in ${root}.`,
        'Pass --resume to finish it, or a new --id.'
      );
    }
    manifest = {
      id,
      notebook,
      created: new Date().toISOString(),
      kernel,
      spec: options.spec,
      configs,
      runStore: runStoreRoot(options.runStore),
      ...(options.ray ? { ray: options.ray.address } : {})
    } satisfies SweepManifest;
    writeManifest(dir, manifest);
  }
  const store = manifest.runStore;
  fs.mkdirSync(store, { recursive: true });

  const varying = varyingNames(configs);
  const todo = configs.filter(c => readResult(dir, c.id)?.status !== 'done');
  const skipped = configs.length - todo.length;
  const where = options.ray ? `on Ray at ${options.ray.address}` : 'here';
  log(
    `[pretext sweep] ${id}: ${configs.length} configurations of ${path.basename(notebook)} ${where}` +
      `${skipped ? `, ${skipped} already done (resumed)` : ''}; folder ${dir}`
  );

  const concurrency = Math.max(
    1,
    Math.floor(
      options.concurrency ?? (options.ray ? todo.length : Math.floor(os.availableParallelism() / 2))
    )
  );
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  if (options.signal?.aborted) {
    stop.abort();
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let position = skipped;
  let failed = 0;
  const report = () => new SweepReport(id, manifest, sweepRows(dir, manifest));

  const runOne = async (config: SweepConfig): Promise<void> => {
    const cdir = configDir(dir, config.id);
    fs.mkdirSync(cdir, { recursive: true });
    // A rerun starts from a clean record: what an interrupted attempt linked is not this run's.
    fs.rmSync(path.join(cdir, 'record.json'), { force: true });
    const label = describeConfig(config.params, varying);
    const execution: Execution = {
      notebook,
      output: path.join(cdir, path.basename(notebook)),
      params: config.params,
      kernel,
      cwd: cdir,
      env: {
        PRETEXT_SWEEP_RECORD: path.join(cdir, 'record.json'),
        PRETEXT_RUNS: store,
        PRETEXT_FULL: options.full ? '1' : '0'
      },
      log: path.join(cdir, 'papermill.log')
    };
    let outcome: Outcome & { jobId?: string };
    if (options.ray) {
      const submission = `pretext-${slug(id)}-${config.id}-${randomBytes(3).toString('hex')}`;
      try {
        const job = await runOnRay(execution, submission, options.ray, stop.signal);
        fs.writeFileSync(execution.log, job.log);
        outcome = job;
      } catch (error) {
        // One job that cannot be submitted or polled fails its row; the others go on.
        const message = error instanceof Error ? error.message : String(error);
        fs.writeFileSync(execution.log, message + '\n');
        outcome = { ok: false, stopped: false, seconds: 0, tail: message, jobId: submission };
      }
    } else {
      outcome = await runLocal(execution, stop.signal);
    }
    // papermill's own message is empty for tslab, which reports a failing cell on stderr:
    // the executed notebook holds what went wrong.
    const cellError = outcome.ok ? undefined : failingCellOutput(execution.output);
    const tail = cellError ? `${cellError}\n--- end of the log ---\n${outcome.tail}` : outcome.tail;
    const result: ConfigResult = {
      id: config.id,
      params: config.params,
      status: outcome.ok ? 'done' : outcome.stopped ? 'stopped' : 'failed',
      seconds: Number(outcome.seconds.toFixed(2)),
      notebook: path.relative(dir, execution.output),
      ...(outcome.ok
        ? {}
        : { error: cellError?.split('\n')[0] ?? failureLine(outcome.tail), logTail: tail }),
      ...(outcome.jobId ? { rayJob: outcome.jobId } : {}),
      finished: new Date().toISOString()
    };
    writeResult(dir, result);
    if (result.status === 'failed') {
      failed++;
    }
    position++;
    const row = sweepRows(dir, manifest).find(r => r.config === config.id);
    const numbers = [
      row?.finalLoss !== null && row?.finalLoss !== undefined
        ? `loss ${row.finalLoss.toPrecision(4)}`
        : '',
      row?.knn !== null && row?.knn !== undefined ? `kNN ${(row.knn * 100).toFixed(1)}%` : '',
      ...Object.entries(row?.results ?? {}).map(
        ([n, v]) => `${n} ${typeof v === 'number' ? Number(v.toPrecision(4)) : String(v)}`
      )
    ].filter(Boolean);
    log(
      `[${position}/${configs.length}] ${config.id} ${label}: ${result.status} in ${result.seconds.toFixed(1)} s` +
        `${numbers.length ? ` (${numbers.join(', ')})` : ''}${row?.runIds.length ? ` runs ${row.runIds.join(' ')}` : ''}`
    );
    if (result.status === 'failed') {
      log(`  ${config.id} failed; the end of its log:\n${indent(tail)}`);
    }
    await report().write(dir);
  };

  const queue = [...todo];
  const worker = async () => {
    while (queue.length && !stop.signal.aborted) {
      await runOne(queue.shift()!);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const final = report();
  const files = await final.write(dir);
  const done = final.rows.filter(r => r.status === 'done').length;
  if (stop.signal.aborted) {
    log(
      `[pretext sweep] stopped: ${done} of ${configs.length} done. Resume with --resume --id ${id}.`
    );
  }
  log(`[pretext sweep] report: ${files.markdown} and ${files.html}`);
  return { id, dir, report: final, files, done, failed, stopped: stop.signal.aborted };
}

/** The failing cell's error (or stderr) in an executed notebook, if it has one. */
function failingCellOutput(file: string): string | undefined {
  let notebook: { cells?: { outputs?: Record<string, unknown>[] }[] };
  try {
    notebook = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof notebook;
  } catch {
    return undefined;
  }
  const text = (v: unknown) => (Array.isArray(v) ? v.join('') : String(v ?? ''));
  const found = (notebook.cells ?? [])
    .flatMap(cell => cell.outputs ?? [])
    .flatMap(output =>
      output.output_type === 'error'
        ? [`${text(output.ename)}: ${text(output.evalue)}`]
        : output.output_type === 'stream' && output.name === 'stderr'
          ? [text(output.text)]
          : []
    );
  const last = found.at(-1)?.trim();
  // Node prints the throwing source line first; the message follows it.
  return last ? tailOf(last.split('\n    at ')[0], 12) : undefined;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map(line => `    ${line}`)
    .join('\n');
}

/** The most telling line of a failed run's log: papermill names the failing cell's error. */
function failureLine(tail: string): string {
  const lines = tail.split('\n').filter(l => l.trim());
  return (
    lines.find(l => /PretextError|Error:|Exception/.test(l))?.trim() ??
    lines.at(-1)?.trim() ??
    'failed'
  );
}
