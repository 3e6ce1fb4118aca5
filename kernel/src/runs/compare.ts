/**
 * Comparing stored runs side by side: their loss curves on one chart, their settings and
 * results in one table. Works on any runs in the store, including a colleague's.
 */
import { inspect } from 'node:util';
import { Chart } from '../render/chart';
import { displayBundle } from '../render/display';
import type { Displayable, MimeBundle } from '../render/mime';
import { decimate } from '../render/dashboard';
import { Table } from '../render/table';
import { themed } from '../render/theme';
import { check, checkOptionNames } from '../util/errors';
import { openRunStore, type Run } from './store';

export interface CompareOptions {
  /** Run-store folder (default PRETEXT_RUNS or ./runs). */
  root?: string;
  /** Show the table and the chart (default true). */
  display?: boolean;
}

function label(run: Run): string {
  return run.config.name ? `${run.config.name} (${run.id})` : run.id;
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

  chart(): Chart {
    const points = this.runs.flatMap(run =>
      decimate(run.metrics().map(m => ({ step: m.step, epoch: m.epoch, loss: m.loss }))).map(p => ({
        ...p,
        run: label(run)
      }))
    );
    const spec = themed({
      title: 'Pretext-task loss by run',
      width: 460,
      height: 220,
      datasets: { curves: points },
      data: { name: 'curves' },
      mark: { type: 'line', strokeWidth: 2, tooltip: true },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'training step' },
        y: {
          field: 'loss',
          type: 'quantitative',
          title: 'loss (lower is better)',
          scale: { zero: false }
        },
        color: { field: 'run', type: 'nominal', title: 'run' }
      }
    });
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
    displayBundle(await comparison.chart().toBundle());
  }
  return comparison;
}
