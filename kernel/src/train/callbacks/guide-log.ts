/** Tells the guide's session log how the run went, so its advice can draw on it. */
import { session } from '../../events/session-events';
import type { TrainCallback, TrainContext, TrainEnd } from './callback';

export class GuideLog implements TrainCallback {
  readonly name = 'guide';

  onTrainEnd(end: TrainEnd, ctx: TrainContext): void {
    const epochs = ctx.epochs ?? [];
    session.recordRun({
      method: ctx.task.method,
      status: end.status,
      steps: ctx.step,
      firstLoss: ctx.records[0]?.loss ?? NaN,
      lastLoss: ctx.records.at(-1)?.loss ?? NaN,
      knnHistory: epochs.flatMap(e => (e.metrics?.knn !== undefined ? [e.metrics.knn] : [])),
      rankRatio: [...epochs].reverse().find(e => e.metrics?.rankRatio !== undefined)?.metrics
        ?.rankRatio
    });
  }
}
