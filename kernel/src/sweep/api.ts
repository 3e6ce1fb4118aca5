/**
 * `px.sweep(notebook, spec)`: the `pretext sweep` command from a notebook cell, printing the
 * same progress lines. Inside one of a sweep's own runs it does nothing, so a notebook that
 * sweeps itself does not recurse.
 */
import { checkOptionNames } from '../util/errors';
import type { RayOptions } from './ray';
import type { SweepSpec } from './grid';
import type { SweepReport } from './report';

export interface NotebookSweepOptions extends SweepSpec {
  id?: string;
  resume?: boolean;
  concurrency?: number;
  full?: boolean;
  root?: string;
  runStore?: string;
  kernel?: string;
  ray?: RayOptions;
}

const OPTION_NAMES = [
  'grid',
  'zip',
  'seeds',
  'fixed',
  'configs',
  'id',
  'resume',
  'concurrency',
  'full',
  'root',
  'runStore',
  'kernel',
  'ray'
];

/** Runs a sweep of `notebook`; returns its report (undefined inside a sweep's own run). */
export async function sweep(
  notebook: string,
  options: NotebookSweepOptions
): Promise<SweepReport | undefined> {
  checkOptionNames('sweep()', options, OPTION_NAMES);
  if (process.env.PRETEXT_SWEEP_RECORD) {
    console.log(
      'px.sweep: skipped, this notebook is itself running as one of a sweep’s configurations.'
    );
    return undefined;
  }
  // Loaded on first use: the runner parses notebooks with the TypeScript compiler, which
  // notebooks that never sweep should not pay for at import.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runSweep } = require('./run-sweep') as typeof import('./run-sweep');
  const { grid, zip, seeds, fixed, configs, ...rest } = options;
  const outcome = await runSweep({
    notebook,
    spec: {
      ...(grid ? { grid } : {}),
      ...(zip ? { zip } : {}),
      ...(seeds ? { seeds } : {}),
      ...(fixed ? { fixed } : {}),
      ...(configs ? { configs } : {})
    },
    ...rest
  });
  return outcome.report;
}
