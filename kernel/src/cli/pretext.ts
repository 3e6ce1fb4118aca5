/**
 * The `pretext` command (kernel/bin/pretext.mjs). One subcommand for now:
 *
 *   pretext sweep <notebook> [--grid grid.yaml|json] [-p name=v1,v2 ...] [--seeds 0,1]
 *                 [--id ID] [--resume] [--concurrency N] [--runs DIR] [--out DIR] [--full]
 *                 [--kernel NAME] [--ray http://host:8265 [--gpus N] [--cpus N]]
 */
import { parseArgs } from 'node:util';
import { PretextError } from '../util/errors';
import { gridFromFlags, mergeSpecs, readSpecFile, type SweepSpec } from '../sweep/grid';
import { runSweep } from '../sweep/run-sweep';

export const USAGE = `Usage: pretext sweep <notebook.ipynb> [options]

Runs the notebook once per configuration, headless on the Pretext kernel (papermill), and
writes sweeps/<id>/report.md and report.html.

  --grid FILE          JSON or YAML: grid, zip, seeds, fixed, configs
  -p, --param N=V,...  vary parameter N over the listed values (repeatable; values are JSON)
  --seeds 0,1,2        run every configuration once per seed (parameter 'seed')
  --seed-param NAME    the notebook's seed parameter (default: seed)
  --id ID              the sweep's id (default: <notebook>-<time>)
  --resume             skip finished configurations of sweep --id (or the newest of this notebook)
  --concurrency N      configurations at once (default: one per two cores; on Ray: all)
  --runs DIR           the run store all configurations write to (default: PRETEXT_RUNS or ./runs)
  --out DIR            where sweeps live (default: ./sweeps)
  --full               the notebook's full size (PRETEXT_FULL=1)
  --kernel NAME        Jupyter kernel (default: pretext)
  --ray URL            submit each configuration as a Ray job to this dashboard (Jobs API)
  --gpus N             entrypoint_num_gpus per Ray job
  --cpus N             entrypoint_num_cpus per Ray job (default 1)
`;

function positiveNumber(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) {
    return undefined;
  }
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new PretextError(
      `${flag} must be a positive number, got '${text}'.`,
      `Pass e.g. ${flag} 1.`
    );
  }
  return value;
}

async function sweep(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      grid: { type: 'string' },
      param: { type: 'string', short: 'p', multiple: true },
      seeds: { type: 'string' },
      'seed-param': { type: 'string' },
      id: { type: 'string' },
      resume: { type: 'boolean' },
      concurrency: { type: 'string' },
      runs: { type: 'string' },
      out: { type: 'string' },
      full: { type: 'boolean' },
      kernel: { type: 'string' },
      ray: { type: 'string' },
      gpus: { type: 'string' },
      cpus: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new PretextError(
      positionals.length
        ? `Expected one notebook, got ${positionals.join(' ')}.`
        : 'No notebook given.',
      'Run: pretext sweep <notebook.ipynb> --grid grid.yaml (pretext sweep --help lists options).'
    );
  }
  const specs: SweepSpec[] = [];
  if (values.grid) {
    specs.push(readSpecFile(values.grid));
  }
  if (values.param?.length) {
    specs.push({ grid: gridFromFlags(values.param) });
  }
  if (values.seeds) {
    const seeds = values.seeds.split(',').map(s => Number(s.trim()));
    if (!seeds.every(Number.isInteger)) {
      throw new PretextError(
        `--seeds must list integers, got '${values.seeds}'.`,
        'Pass e.g. --seeds 0,1,2.'
      );
    }
    specs.push({ seeds: { name: values['seed-param'] ?? 'seed', values: seeds } });
  }
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      console.log(
        '\n[pretext sweep] stopping: running configurations are being stopped (Ctrl-C again to quit now)'
      );
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    const outcome = await runSweep({
      notebook: positionals[0],
      spec: mergeSpecs(...specs),
      id: values.id,
      root: values.out,
      runStore: values.runs,
      resume: values.resume ?? false,
      concurrency: positiveNumber('--concurrency', values.concurrency),
      kernel: values.kernel,
      full: values.full ?? false,
      ...(values.ray
        ? {
            ray: {
              address: values.ray,
              gpus: positiveNumber('--gpus', values.gpus),
              cpus: positiveNumber('--cpus', values.cpus)
            }
          }
        : {}),
      signal: controller.signal
    });
    if (outcome.stopped) {
      return 130;
    }
    return outcome.failed ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    process.removeListener('SIGTERM', onInterrupt);
  }
}

/** Runs the command line; returns the exit code. Errors print as problem + fix. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'sweep') {
      return await sweep(rest);
    }
    if (!command || command === '--help' || command === '-h' || command === 'help') {
      console.log(USAGE);
      return command ? 0 : 2;
    }
    throw new PretextError(`Unknown command '${command}'.`, 'Use: pretext sweep <notebook> ...');
  } catch (error) {
    if (error instanceof PretextError) {
      console.error(`pretext: ${error.problem}\nFix: ${error.fix}`);
      return 2;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`pretext: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}
