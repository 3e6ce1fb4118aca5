/**
 * The divergence guard: a run that blew up without ever producing a NaN (a learning rate far
 * too high pins a contrastive loss at its chance level while the weights grow into the
 * millions), or whose representation collapsed while the loss looked fine (every input mapped
 * to one point or one direction: BYOL without its predictor, VICReg without its variance term),
 * fails with what was seen and a fix, instead of ending 'done' with a useless encoder.
 *
 * Cheap by design: the loss comes from the loop's own per-step read-back; the weights' global
 * norm is read back once at the start and once every WEIGHT_CHECK_EVERY steps; a fixed probe
 * batch of training examples is embedded (inference mode) every COLLAPSE_CHECK_EVERY steps.
 */
import { tf, type Tensor, type Variable } from '../../backend/tf';
import { inMemory, watchFirstReads } from '../../data/source';
import { probeSpread } from '../../features/health';
import type { PretextTask } from '../../tasks/task';
import { trainingSource } from '../checks';
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

/** Steps between two looks at the probe batch's embeddings. */
export const COLLAPSE_CHECK_EVERY = 25;
/** Training examples in the probe batch, spread evenly over the data (or its first reads). */
export const PROBE_SIZE = 64;
/** Fewer examples than this say nothing about spread: no collapse checks. */
const MIN_PROBE = 8;
/**
 * Spread of the L2-normalised embeddings (mean per-dimension std over that of an even spread,
 * not centred) below which the inputs all map to nearly one point. Healthy ReLU encoders sit
 * near 0.07 even untrained (their features share a mean direction); collapsed ones near 0.002.
 */
export const COLLAPSED_SPREAD = 0.01;
/** Effective rank (of the centred embeddings) below which they lie along about one direction. */
export const COLLAPSED_RANK = 1.5;
/** Checks in a row that must see a collapse before it is reported (one probe could be unlucky). */
export const COLLAPSED_CHECKS = 2;

/** Methods whose loss is NT-Xent over the batch: 2N-1 candidates for each of the 2N views. */
const NT_XENT_METHODS = new Set(['simclr', 'scarf', 'series-contrastive']);

/**
 * The loss a task gets when its representation carries no information (a collapsed encoder):
 * the task's own `chanceLoss` when it has one, log(2N - 1) for NT-Xent methods, else undefined.
 */
export function chanceLoss(task: PretextTask, batchSize: number): number | undefined {
  const own = task.chanceLoss?.(batchSize);
  if (own !== undefined) {
    return Number.isFinite(own) ? own : undefined;
  }
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
  /** The probe batch (collected from the first reads of a source on disk), its target size. */
  private probe?: Tensor;
  private probeTarget = 0;
  private collapsedChecks = 0;

  /** `warn`: print the finding once and keep training, instead of failing the run. */
  constructor(private readonly warnOnly = false) {}

  onTrainBegin(ctx: TrainContext): void {
    this.chance = chanceLoss(ctx.task, ctx.options.batchSize);
    this.variables = ctx.task.trainableVariables();
    this.startNorm = this.variables.length ? weightNorm(this.variables) : 0;
    this.takeProbe(ctx.task);
  }

  onGradients(stats: StepStats, ctx: TrainContext): void {
    // Non-finite values are the NaN guard's to report.
    if (!Number.isFinite(stats.loss)) {
      return;
    }
    const found = this.lossFinding(stats, ctx) ?? this.normFinding(stats);
    if (found) {
      this.report(found, stats, ctx);
    }
    if (stats.step % COLLAPSE_CHECK_EVERY === 0) {
      this.checkCollapse(stats, ctx);
    }
  }

  onTrainEnd(): void {
    this.probe?.dispose();
    this.probe = undefined;
  }

  /** A fixed batch of training examples: spread over the data in memory, else the first read. */
  private takeProbe(task: PretextTask): void {
    this.probe?.dispose();
    this.probe = undefined;
    this.collapsedChecks = 0;
    const source = trainingSource(task);
    if (!source || source.size < MIN_PROBE) {
      return;
    }
    this.probeTarget = Math.min(PROBE_SIZE, source.size);
    const inputs = inMemory.get(source);
    if (inputs) {
      const step = source.size / this.probeTarget;
      const positions = Int32Array.from({ length: this.probeTarget }, (_, i) =>
        Math.floor(i * step)
      );
      this.probe = tf.tidy(() => tf.gather(inputs, tf.tensor1d(positions, 'int32')));
      return;
    }
    // From disk: keep copies of the first examples training reads, rather than read more.
    watchFirstReads(source, 'collapse probe', this.probeTarget, batch => {
      const have = this.probe?.shape[0] ?? 0;
      const take = Math.min(this.probeTarget - have, batch.shape[0]);
      const part = tf.slice(batch, 0, take);
      const joined = this.probe ? tf.concat([this.probe, part]) : tf.clone(part);
      tf.dispose([part, this.probe]);
      this.probe = joined;
    });
  }

  private checkCollapse(stats: StepStats, ctx: TrainContext): void {
    if (!this.probe || this.probe.shape[0] < Math.min(this.probeTarget, MIN_PROBE)) {
      return;
    }
    let seen: ReturnType<typeof probeSpread>;
    try {
      seen = probeSpread(ctx.task.encoder, this.probe);
    } catch {
      seen = undefined; // An encoder that cannot embed the probe alone: not a collapse.
    }
    if (!seen) {
      this.probe.dispose();
      this.probe = undefined;
      return;
    }
    const onePoint = seen.spread < COLLAPSED_SPREAD;
    const oneDirection = seen.rank < COLLAPSED_RANK;
    this.collapsedChecks = onePoint || oneDirection ? this.collapsedChecks + 1 : 0;
    if (this.collapsedChecks < COLLAPSED_CHECKS) {
      return;
    }
    const n = this.probe.shape[0];
    const what = onePoint
      ? `the encoder maps ${n} fixed training examples to nearly the same embedding (spread ${(seen.spread * 100).toPrecision(2)}% of an even spread over ${seen.dim} dimensions)`
      : `the encoder's embeddings of ${n} fixed training examples lie along about one direction (effective rank ${seen.rank.toFixed(2)} of ${seen.dim})`;
    const problem = `The representation collapsed at step ${stats.step} (epoch ${stats.epoch}) while the loss is ${stats.loss.toPrecision(4)}: ${what}, at ${COLLAPSED_CHECKS} checks ${COLLAPSE_CHECK_EVERY} steps apart. Its features no longer tell inputs apart, whatever the loss says.`;
    const fixes = [
      ...collapseFixes(ctx.task),
      `lower learningRate (e.g. ${ctx.options.learningRate / 10})`
    ];
    this.fail(
      problem,
      `${fixes.join('; ')}; then train again, or pass divergenceGuard: 'warn' (or false) to train on regardless.`,
      ctx
    );
  }

  private lossFinding(stats: StepStats, ctx: TrainContext): string | undefined {
    const chance = this.chance;
    if (chance === undefined) {
      return undefined;
    }
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
    if (this.startNorm <= 0 || stats.step % WEIGHT_CHECK_EVERY !== 0) {
      return undefined;
    }
    const norm = weightNorm(this.variables);
    if (Number.isFinite(norm) && norm <= this.startNorm * NORM_GROWTH_LIMIT) {
      return undefined;
    }
    return `the weights' global norm grew from ${this.startNorm.toPrecision(4)} at the start to ${norm.toPrecision(4)} (x${(norm / this.startNorm).toPrecision(3)}, limit x${NORM_GROWTH_LIMIT}): the weights are exploding`;
  }

  private report(found: string, stats: StepStats, ctx: TrainContext): void {
    const opts = ctx.options;
    const fixes = [`lower learningRate (e.g. ${opts.learningRate / 10})`];
    if (opts.gradientClipNorm === undefined) {
      fixes.push('set gradientClipNorm (e.g. 1)');
    }
    if (!opts.schedule.warmupSteps && !opts.schedule.warmupEpochs) {
      fixes.push("add a warmup (schedule: { kind: 'cosine', warmupEpochs: 1 })");
    }
    // A loss that never left chance with calm weights may as well be a rate too low to move them.
    const calm = found.includes('never left') && weightNorm(this.variables) < 10 * this.startNorm;
    if (calm) {
      fixes.splice(
        1,
        0,
        `or, if the weights barely moved, raise learningRate (e.g. ${opts.learningRate * 10})`
      );
    }
    const fix = `${fixes.join(', ')}, then train again; or pass divergenceGuard: 'warn' (or false) to train on regardless.`;
    const problem = `Training diverged at step ${stats.step} (epoch ${stats.epoch}): ${found}. Likely cause: learning rate ${opts.learningRate} too high${calm ? ' (or too low)' : ''} for this model and batch size.`;
    this.fail(problem, fix, ctx);
  }

  /** Warns once per run (the first finding), or fails the run with the weights from before the step. */
  private fail(problem: string, fix: string, ctx: TrainContext): void {
    if (this.warnOnly) {
      if (!this.warned) {
        console.warn(`Pretext warning: ${problem} Fix: ${fix}`);
      }
      this.warned = true;
      return;
    }
    throw new RunFailure(
      `${problem} The weights are from before that step.${describeCheckpoint(ctx.checkpoint?.dir, ctx.runId)}`,
      fix
    );
  }
}

/** What keeps this method's embeddings apart, as the fix for a collapse. */
function collapseFixes(task: PretextTask): string[] {
  const config = task.config();
  switch (task.method) {
    case 'byol':
    case 'simsiam':
      return [
        'keep the predictor head and the momentum target (tau near 0.99): that asymmetry is what stops BYOL-style methods collapsing'
      ];
    case 'vicreg': {
      const weights = (config.weights ?? {}) as { muVariance?: number };
      return [
        `keep VICReg's variance term on (weights.muVariance 25, the default${weights.muVariance !== undefined && weights.muVariance !== 25 ? `; this run has ${weights.muVariance}` : ''}) and its covariance term (nuCovariance 1)`
      ];
    }
    case 'barlow':
      return ["use Barlow Twins' default lambda (5e-3) and a wider projector (expanderDim)"];
    default:
      return NT_XENT_METHODS.has(task.method) || task.method === 'moco'
        ? ['use a larger batch or a lower temperature, so there are more negatives to push apart']
        : [
            'add a term that keeps embeddings apart (negatives as in simclr, or a variance term as in vicreg), or a predictor as in byol'
          ];
  }
}
