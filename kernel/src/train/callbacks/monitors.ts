/** Monitors as a callback: extra metrics every few epochs, logged on the epoch's last step. */
import type { MetricRecord } from '../../runs/store';
import type { PretextTask } from '../../tasks/task';
import { check } from '../../util/errors';
import type { TrainMonitor } from '../options';
import type { EpochSummary } from '../result';
import type { TrainCallback, TrainContext } from './callback';

/** Runs the monitors due this epoch and returns their metrics, checked to be numbers. */
export async function runMonitors(
  monitors: readonly TrainMonitor[],
  epoch: number,
  step: number,
  task: PretextTask
): Promise<Record<string, number>> {
  const computed: Record<string, number> = {};
  for (const monitor of monitors) {
    if (epoch % (monitor.everyEpochs ?? 1) !== 0) {
      continue;
    }
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

/** Whether any monitor runs after this epoch (from 1). */
export function monitorsDue(monitors: readonly TrainMonitor[], epoch: number): boolean {
  return monitors.some(m => epoch % (m.everyEpochs ?? 1) === 0);
}

/** Runs first at each epoch end, so every later callback finds `epoch.metrics` filled in. */
export class MonitorCallback implements TrainCallback {
  readonly name = 'monitors';

  async onEpochEnd(epoch: EpochSummary, ctx: TrainContext): Promise<void> {
    const computed = await runMonitors(ctx.options.monitors, epoch.epoch, ctx.step, ctx.task);
    if (Object.keys(computed).length === 0) {
      return;
    }
    epoch.metrics = computed;
    const last = ctx.records.at(-1) as MetricRecord | undefined;
    if (last) {
      Object.assign(last, computed);
    }
  }
}
