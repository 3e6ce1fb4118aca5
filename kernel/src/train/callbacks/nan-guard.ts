/** The NaN/Inf guard: a non-finite loss or gradient fails the run before the bad update. */
import { describeCheckpoint } from '../resume';
import { RunFailure } from '../run-state';
import type { StepStats, TrainCallback, TrainContext } from './callback';

export class NanGuard implements TrainCallback {
  readonly name = 'NaN guard';

  onGradients(stats: StepStats, ctx: TrainContext): void {
    const { loss, gradNorm } = stats;
    if (Number.isFinite(loss) && Number.isFinite(gradNorm)) {
      return;
    }
    const opts = ctx.options;
    const what = !Number.isFinite(loss)
      ? `the loss became ${loss}`
      : `the gradient norm became ${gradNorm} (loss ${loss.toFixed(4)})`;
    const fix = `Lower learningRate (e.g. ${opts.learningRate / 10})${opts.gradientClipNorm === undefined ? ', set gradientClipNorm (e.g. 1)' : ''} or raise the temperature, then train again.`;
    throw new RunFailure(
      `Training stopped: ${what} at step ${stats.step} (epoch ${stats.epoch}); the weights are from before that step. Likely cause: learning rate too high for this batch size.${describeCheckpoint(ctx.checkpoint?.dir, ctx.runId)}`,
      fix
    );
  }
}
