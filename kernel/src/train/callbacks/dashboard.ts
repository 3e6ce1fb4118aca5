/** The live dashboard as a callback: one display updated in place, finished with a chart. */
import { TrainingDashboard, type DashboardState } from '../../render/dashboard';
import { latestMonitorMetrics } from '../result';
import type { TrainCallback, TrainContext, TrainEnd, TrainStatus } from './callback';

/** What the dashboard shows for the run in `ctx`, with `status` / `message` when it ended. */
export function dashboardState(
  ctx: TrainContext,
  status: TrainStatus = ctx.status ?? 'running',
  message = ctx.message
): DashboardState {
  const elapsedSec = ctx.elapsedSeconds;
  const last = ctx.records.at(-1);
  const epochs = ctx.epochs ?? [];
  const totalEpochs =
    ctx.options.epochs ?? Math.max(1, Math.ceil(ctx.totalSteps / ctx.stepsPerEpoch));
  return {
    title: ctx.options.title ?? `${ctx.task.method} on ${ctx.dataset.name}`,
    status,
    step: ctx.step,
    totalSteps: ctx.totalSteps,
    epoch: Math.min(totalEpochs, epochs.length + (status === 'running' ? 1 : 0)),
    totalEpochs,
    elapsedSec,
    samplesPerSec: elapsedSec > 0 ? (ctx.step * ctx.options.batchSize) / elapsedSec : undefined,
    metrics: last ? { loss: last.loss, lr: last.lr, ...latestMonitorMetrics([...epochs]) } : {},
    history: ctx.records.map(r => ({ step: r.step, epoch: r.epoch, loss: r.loss })),
    message,
    ...(ctx.budget ? { budgetSec: ctx.budget.seconds } : {})
  };
}

export class DashboardCallback implements TrainCallback {
  readonly name = 'dashboard';
  private readonly display = new TrainingDashboard();

  onTrainBegin(ctx: TrainContext): void {
    this.display.update(dashboardState(ctx), true);
  }

  onStepEnd(_record: unknown, ctx: TrainContext): void {
    // Throttled inside; skip building the state when the update would be dropped anyway.
    if (this.display.due()) {
      this.display.update(dashboardState(ctx));
    }
  }

  onEpochEnd(_epoch: unknown, ctx: TrainContext): void {
    this.display.update(dashboardState(ctx), true);
  }

  async onTrainEnd(end: TrainEnd, ctx: TrainContext): Promise<void> {
    await this.display.finish(dashboardState(ctx, end.status, end.message));
  }
}
