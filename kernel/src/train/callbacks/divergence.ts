/**
 * The divergence guard: a run that blew up without ever producing a NaN (a learning rate far
 * too high pins a contrastive loss at its chance level while the weights grow into the
 * millions) fails with what was seen and a fix, instead of ending 'done' with a useless encoder.
 *
 * Cheap by design: the loss comes from the loop's own per-step read-back; the weights' global
 * norm is read back once at the start and once every WEIGHT_CHECK_EVERY steps.
 */
import { tf, type Variable } from '../../backend/tf';
import type { PretextTask } from '../../tasks/task';
import { globalNorm } from '../optimizers';
import { describeCheckpoint } from '../resume';
import { RunFailure } from '../run-state';
import type { StepStats, TrainCallback, TrainContext } from './callback';

/** Steps the weights' global norm is left unread between checks. */
export const WEIGHT_CHECK_EVERY = 25;
/** Growth of the weights' global norm over its value at the start that counts as exploding. */
export const NORM_GROWTH_LIMIT = 100;
/** Consecutive steps at chance level (after the loss had fallen below it) that count as diverged. */
export const PINNED_STEPS = 30;
/** Steps a loss may sit at chance level from the start before it counts as never learning. */
export const WARMUP_STEPS = 100;
/** A loss within this fraction below chance level counts as "at chance". */
const AT_CHANCE = 0.005;
/** A loss this fraction below chance level shows the task had started to learn. */
const LEARNED = 0.05;

/** Methods whose loss is NT-Xent over the batch: 2N-1 candidates for each of the 2N views. */
const NT_XENT_METHODS = new Set(['simclr', 'scarf', 'series-contrastive']);

/**
 * The loss a task gets when its representation carries no information (a collapsed encoder):
 * the task's own `chanceLoss` when it has one, log(2N - 1) for NT-Xent methods, else undefined.
 */
export function chanceLoss(task: PretextTask, batchSize: number): number | undefined {
  const own = task.chanceLoss?.(batchSize);
  if (own !== undefined) return Number.isFinite(own) ? own : undefined;
  return NT_XENT_METHODS.has(task.method) ? Math.log(2 * batchSize - 1) : undefined;
}

function weightNorm(variables: Variable[]): number {
  return tf.tidy(() => globalNorm(variables).dataSync()[0]);
}

export class DivergenceGuard implements TrainCallback {
  readonly name = 'divergence guard';
  private chance?: number;
  private variables: Variable[] = [];
  private startNorm = 0;
  private lowest = Infinity;
  private pinned = 0;
  private warned = false;

  /** `warn`: print the finding once and keep training, instead of failing the run. */
  constructor(private readonly warnOnly = false) {}

  onTrainBegin(ctx: TrainContext): void {
    this.chance = chanceLoss(ctx.task, ctx.options.batchSize);
    this.variables = ctx.task.trainableVariables();
    this.startNorm = this.variables.length ? weightNorm(this.variables) : 0;
  }

  onGradients(stats: StepStats, ctx: TrainContext): void {
    // Non-finite values are the NaN guard's to report.
    if (!Number.isFinite(stats.loss)) return;
    const found = this.lossFinding(stats, ctx) ?? this.normFinding(stats);
    if (found) this.report(found, stats, ctx);
  }

  private lossFinding(stats: StepStats, ctx: TrainContext): string | undefined {
    const chance = this.chance;
    if (chance === undefined) return undefined;
    const { loss, step } = stats;
    this.lowest = Math.min(this.lowest, loss);
    this.pinned = loss >= chance * (1 - AT_CHANCE) ? this.pinned + 1 : 0;
    const learned = this.lowest < chance * (1 - LEARNED);
    const resumed = ctx.resumedFromStep ?? 0;
    const chanceText = `the task's chance level ${chance.toFixed(4)} (batch ${ctx.options.batchSize})`;
    if (learned && this.pinned >= PINNED_STEPS) {
      return `the loss had fallen to ${this.lowest.toFixed(4)} but has sat at ${chanceText} for the last ${this.pinned} steps (now ${loss.toFixed(4)}): the representation collapsed`;
    }
    if (!learned && this.pinned >= PINNED_STEPS && step - resumed > WARMUP_STEPS) {
      return `the loss never left ${chanceText} in ${step - resumed} steps (now ${loss.toFixed(4)}): the representation carries no information`;
    }
    return undefined;
  }

  private normFinding(stats: StepStats): string | undefined {
    if (this.startNorm <= 0 || stats.step % WEIGHT_CHECK_EVERY !== 0) return undefined;
    const norm = weightNorm(this.variables);
    if (Number.isFinite(norm) && norm <= this.startNorm * NORM_GROWTH_LIMIT) return undefined;
    return `the weights' global norm grew from ${this.startNorm.toPrecision(4)} at the start to ${norm.toPrecision(4)} (x${(norm / this.startNorm).toPrecision(3)}, limit x${NORM_GROWTH_LIMIT}): the weights are exploding`;
  }

  private report(found: string, stats: StepStats, ctx: TrainContext): void {
    const opts = ctx.options;
    const fixes = [`lower learningRate (e.g. ${opts.learningRate / 10})`];
    if (opts.gradientClipNorm === undefined) fixes.push('set gradientClipNorm (e.g. 1)');
    if (!opts.schedule.warmupSteps && !opts.schedule.warmupEpochs) {
      fixes.push("add a warmup (schedule: { kind: 'cosine', warmupEpochs: 1 })");
    }
    // A loss that never left chance with calm weights may as well be a rate too low to move them.
    const calm = found.includes('never left') && weightNorm(this.variables) < 10 * this.startNorm;
    if (calm)
      fixes.splice(
        1,
        0,
        `or, if the weights barely moved, raise learningRate (e.g. ${opts.learningRate * 10})`
      );
    const fix = `${fixes.join(', ')}, then train again; or pass divergenceGuard: 'warn' (or false) to train on regardless.`;
    const problem = `Training diverged at step ${stats.step} (epoch ${stats.epoch}): ${found}. Likely cause: learning rate ${opts.learningRate} too high${calm ? ' (or too low)' : ''} for this model and batch size.`;
    if (this.warnOnly) {
      if (!this.warned) console.warn(`Pretext warning: ${problem} Fix: ${fix}`);
      this.warned = true;
      return;
    }
    throw new RunFailure(
      `${problem} The weights are from before that step.${describeCheckpoint(ctx.checkpoint?.dir, ctx.runId)}`,
      fix
    );
  }
}
