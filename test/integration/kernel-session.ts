/** Running cells one by one on a real `pretext` kernel, interrupts included (kernel-session.py). */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const VENV_BIN = join(ROOT, '.venv', 'bin');

export interface SessionCell {
  source: string;
  /** Send a Jupyter interrupt once this cell's dashboard shows this step. */
  interruptAtStep?: number;
}

export interface CellResult {
  status: 'ok' | 'error' | 'aborted' | null;
  error: { ename: string; evalue: string } | null;
  stdout: string;
  stderr: string;
  dashboard: {
    status: string;
    message?: string;
    progress: { step: number; totalSteps: number };
  } | null;
  interrupted: boolean;
}

/** Runs `cells` in one kernel whose cwd is `workdir`; returns what each cell gave. */
export function runCells(cells: SessionCell[], workdir: string): CellResult[] {
  const input = join(workdir, 'cells.json');
  const output = join(workdir, 'results.json');
  writeFileSync(input, JSON.stringify(cells));
  const result = spawnSync(
    join(VENV_BIN, 'python'),
    [join(__dirname, 'kernel-session.py'), input, output],
    {
      cwd: workdir,
      encoding: 'utf8',
      timeout: 900_000,
      env: { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH}` }
    }
  );
  if (result.status !== 0) {
    throw new Error(`kernel session failed (${result.status}): ${result.stderr.slice(-2000)}`);
  }
  return JSON.parse(readFileSync(output, 'utf8')) as CellResult[];
}
