/**
 * Comparing stored runs side by side: their loss curves on one chart, their settings and
 * results in one table. Works on any runs in the store, including a colleague's.
 */
import { inspect } from 'node:util';
import {
  buildCompareSpec,
  compareLayout,
  compareProblem,
  runLabel,
  type LossCurve
} from '../protocol';
import { Chart } from '../render/chart';
import { displayBundle } from '../render/display';
import type { Displayable, MimeBundle } from '../render/mime';
import { Table } from '../render/table';
import { themed } from '../render/theme';
import { PretextError, check, checkOptionNames } from '../util/errors';
import { openRunStore, type Run } from './store';

export interface CompareOptions {
  /** Run-store folder (default PRETEXT_RUNS or ./runs). */
  root?: string;
  /** Show the table and the chart (default true). */
  display?: boolean;
}

function label(run: Run): string {
  return runLabel({ id: run.id, name: run.config.name });
}

/** A run's loss curve as the protocol's comparison takes it (NaN losses are stored as null). */
export function lossCurve(run: Run): LossCurve {
  return {
    label: label(run),
    method: run.config.method,
    points: run.metrics().map(m => ({
      step: m.step,
      loss: typeof m.loss === 'number' && Number.isFinite(m.loss) ? m.loss : null
    }))
  };
}

export class RunComparison implements Displayable {
  constructor(readonly runs: Run[]) {}

  table(): Table {
    return new Table(
      [
        { name: 'run', label: 'run' },
        { name: 'method', label: 'method' },
        { name: 'dataset', label: 'data' },
        { name: 'status', label: 'status' },
        { name: 'steps', label: 'steps', format: 'number' },
        { name: 'finalLoss', label: 'final loss', format: 'number' },
        { name: 'knn', label: 'last kNN', format: 'percent' },
        { name: 'batchSize', label: 'batch', format: 'number' },
        { name: 'learningRate', label: 'lr', format: 'number' },
        { name: 'seconds', label: 'seconds', format: 'number' }
      ],
      this.runs.map(run => {
        const withKnn = run.metrics().filter(m => typeof m.knn === 'number');
        const options = run.config.options as { batchSize?: number; learningRate?: number };
        return {
          run: label(run),
          method: run.config.method,
          dataset: run.config.dataset?.name ?? null,
          status: run.summary?.status ?? 'unknown',
          steps: run.summary?.steps ?? null,
          finalLoss: run.summary?.finalLoss ?? null,
          knn: withKnn.at(-1)?.knn ?? null,
          batchSize: options.batchSize ?? null,
          learningRate: options.learningRate ?? null,
          seconds: run.summary ? Math.round(run.summary.seconds) : null
        };
      }),
      `Comparing ${this.runs.length} runs`
    );
  }

  /**
   * The loss curves, built by the same comparison as the runs browser's: one chart for runs
   * of one method, one panel per run (own y scale) when methods differ.
   */
  chart(): Chart {
    const curves = this.runs.map(lossCurve);
    const problem = compareProblem(curves);
    if (problem) {
      throw new PretextError(
        problem.problem,
        problem.fix || 'Pass the ids of runs that trained at least one step.'
      );
    }
    // A notebook cell is wider than the side panel: bigger overlay, two panels a row.
    const size =
      compareLayout(curves) === 'overlay'
        ? { width: 460, height: 220, title: 'Pretext-task loss by run' }
        : { width: 280, height: 120, columns: 2 };
    const spec = themed(buildCompareSpec(curves, size));
    const summary = this.runs
      .map(
        run =>
          `${label(run)}: ${run.config.method}, final loss ${run.summary?.finalLoss?.toFixed(4) ?? '—'}`
      )
      .join('\n');
    // Different pretext losses are on different scales: compare curve shapes, not heights.
    return new Chart(
      spec,
      `Pretext-task loss by run (losses of different methods are not on one scale)\n${summary}`
    );
  }

  toBundle(): MimeBundle {
    return this.table().toBundle();
  }

  [inspect.custom](): string {
    return this.table().toBundle()['text/plain'];
  }
}

/** Loads runs by id (at least one) and shows their table and loss curves. */
export async function compareRuns(
  ids: string[],
  options: CompareOptions = {}
): Promise<RunComparison> {
  checkOptionNames('compareRuns', options, ['root', 'display']);
  check(
    Array.isArray(ids) && ids.length > 0,
    'compareRuns() needs a list of run ids.',
    'Pass e.g. compareRuns(openRunStore().list().map(r => r.id)).'
  );
  const store = openRunStore(options.root);
  const comparison = new RunComparison(ids.map(id => store.get(id)));
  if (options.display ?? true) {
    displayBundle(comparison.toBundle());
    // A run that has not trained a step has no curve; the table still shows it.
    if (!compareProblem(comparison.runs.map(lossCurve))) {
      displayBundle(await comparison.chart().toBundle());
    }
  }
  return comparison;
}
