/** What the engine does after each epoch: run monitors, update early stopping. */
import type { PretextTask } from '../tasks/task';
import { check } from '../util/errors';
import type { ResolvedEarlyStopping, TrainMonitor } from './options';
import type { EarlyStoppingState } from './resume';

/** Runs the monitors due this epoch and returns their metrics, checked to be numbers. */
export async function runMonitors(
  monitors: readonly TrainMonitor[],
  epoch: number,
  step: number,
  task: PretextTask
): Promise<Record<string, number>> {
  const computed: Record<string, number> = {};
  for (const monitor of monitors) {
    if (epoch % (monitor.everyEpochs ?? 1) !== 0) continue;
    const values = await monitor.evaluate({ epoch, step, task });
    check(
      typeof values === 'object' && values !== null,
      `Monitor '${monitor.name}' returned ${String(values)} instead of { metricName: number }.`,
      'Make evaluate return an object of numbers, e.g. { knnAccuracy: 0.91 }.'
    );
    for (const [name, v] of Object.entries(values)) {
      check(
        typeof v === 'number',
        `Monitor '${monitor.name}' returned ${name} = ${String(v)}, not a number.`,
        'Return plain numbers, e.g. { knnAccuracy: 0.91 }.'
      );
      computed[name] = v;
    }
  }
  return computed;
}

/**
 * Updates `state` with this epoch's value of the monitored metric (the epoch loss or a
 * monitor's) and returns the stop message once patience runs out, else undefined.
 */
export function updateEarlyStopping(
  es: ResolvedEarlyStopping,
  state: EarlyStoppingState,
  epoch: {
    epoch: number;
    meanLoss: number;
    metrics: Record<string, number>;
    monitorsRan: boolean;
  }
): string | undefined {
  const value = es.monitor === 'loss' ? epoch.meanLoss : epoch.metrics[es.monitor];
  if (value === undefined) {
    // A monitor that runs every few epochs has nothing to say in between; only a run that
    // produced metrics without the named one is a mistake.
    const available = ['loss', ...Object.keys(epoch.metrics)];
    check(
      !epoch.monitorsRan,
      `earlyStopping.monitor '${es.monitor}' is not a metric any monitor returned at epoch ${epoch.epoch} (got: ${available.join(', ')}).`,
      `Set earlyStopping.monitor to one of: ${available.join(', ')}.`
    );
    return undefined;
  }
  const improved =
    state.best === null ||
    (es.mode === 'min' ? value < state.best - es.minDelta : value > state.best + es.minDelta);
  if (improved) {
    state.best = value;
    state.bestEpoch = epoch.epoch;
    state.bad = 0;
    return undefined;
  }
  if (++state.bad < es.patience) return undefined;
  return `Early stopping after epoch ${epoch.epoch}: ${es.monitor} has not improved by more than ${es.minDelta} for ${es.patience} check${es.patience === 1 ? '' : 's'} (best ${(state.best ?? value).toFixed(4)} at epoch ${state.bestEpoch}).`;
}
