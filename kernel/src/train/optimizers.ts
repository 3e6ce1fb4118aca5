import { tf, type Scalar, type Tensor, type Variable } from '../backend/tf';
import { NativeAdamSlots } from '../backend/native/adam';
import { nativeGradientState } from '../backend/native/install';
import { holdLossConstants } from '../losses/nt-xent';
import type { OptimizerName } from './options';

/** Names of engine-added optimiser state (not part of tfjs's getWeights()). */
export const ADAM_BETA_POWERS = ['engine/adam/accBeta1', 'engine/adam/accBeta2'] as const;

export function isExtraOptimizerState(name: string): boolean {
  return name.startsWith('engine/');
}

type Optimizer = ReturnType<typeof tf.train.adam> | ReturnType<typeof tf.train.momentum>;

export interface EngineOptimizerOptions {
  /**
   * Adam through TF's fused ResourceApplyAdam (backend/native/adam.ts): 2 ops per variable per
   * step instead of 14. Default: nativeGradientState().nativeAdam (the native layer is on and
   * TF's kernel passed its probe).
   */
  nativeAdam?: boolean;
}

/** One step's values inside a trace, for EngineOptimizer.tracedUpdate(). */
export interface TracedStep {
  grads: Record<string, Tensor>;
  /** Their global norm. */
  norm: Scalar;
  /** This step's learning rate (a function input). */
  learningRate: Scalar;
  clipNorm?: number;
  /** Weights that get decoupled decay, and this step's factor 1 - lr * weightDecay (an input). */
  decayed: Variable[];
  decayFactor?: Scalar;
}

/**
 * One of tfjs-core's optimizers plus what the engine needs around it: a learning rate that
 * can change every step, decoupled weight decay, and state that can be saved and restored.
 *
 * How tfjs-core 4.22 holds the rate: AdamOptimizer reads its `learningRate` field inside
 * applyGradients, so assigning the field changes the next step; MomentumOptimizer (our 'sgd')
 * multiplies by a cached scalar `c = -learningRate` that only setLearningRate() refreshes.
 * Scaling gradients instead would be wrong for Adam (its update is invariant to gradient
 * scale), so the engine always sets the rate.
 */
export class EngineOptimizer {
  readonly optimizer: Optimizer;
  private rate: number;
  private readonly scalars = new ScalarCache();
  private readonly stepInputs = new ScalarCache();
  /** The losses' cached constants live as long as this run's optimiser. */
  private readonly releaseLossConstants = holdLossConstants();
  /** Adam's moments as TF resource variables, when Adam runs as TF's fused kernel. */
  private readonly slots?: NativeAdamSlots;

  constructor(
    readonly kind: OptimizerName,
    learningRate: number,
    momentum: number,
    options: EngineOptimizerOptions = {}
  ) {
    this.rate = learningRate;
    this.optimizer =
      kind === 'sgd' ? tf.train.momentum(learningRate, momentum) : tf.train.adam(learningRate);
    if (kind !== 'sgd') {
      const adam = this.optimizer as unknown as AdamInternals;
      if (options.nativeAdam ?? nativeGradientState().nativeAdam) {
        const slots = new NativeAdamSlots(tf);
        this.slots = slots;
        adam.applyGradients = grads => nativeAdamStep(adam, grads, this.scalars, slots);
      } else {
        adam.applyGradients = grads => leanAdamStep(adam, grads, this.scalars);
      }
    }
  }

  /** Whether Adam's update is TF's fused kernel (false for SGD and the tfjs-op Adam). */
  get nativeAdam(): boolean {
    return this.slots !== undefined;
  }

  /**
   * Whether tracedUpdate() can run inside a traced step: Adam on tfjs variables. (TF's fused
   * kernel keeps the moments in TF resources, which a trace cannot feed; SGD stays eager.)
   */
  get traceable(): boolean {
    return this.kind !== 'sgd' && !this.slots;
  }

  /**
   * The whole update of one step as tensor code, for a trace: gradient clipping by the global
   * norm, decoupled weight decay, then Adam, with the step's learning rate and decay factor as
   * tensors (a trace would freeze numbers). Every new value is a Variable.assign, which the
   * trace turns into an output the caller applies. Same ops as the eager path, in its order.
   */
  tracedUpdate(variables: Variable[], step: TracedStep): void {
    const { norm, clipNorm, decayed, decayFactor } = step;
    let grads = step.grads;
    if (clipNorm !== undefined) {
      // clipNorm / max(norm, clipNorm): exactly 1 (gradients unchanged) up to the limit.
      const limit = tf.scalar(clipNorm);
      const scale = tf.div(limit, tf.maximum(norm, limit));
      grads = Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, g.mul(scale)]));
    }
    if (decayFactor) {
      for (const v of decayed) {
        v.assign(v.mul(decayFactor));
      }
    }
    const adam = this.optimizer as unknown as AdamInternals;
    adamUpdate(
      adam,
      variables.map(v => ({ name: v.name, gradient: grads[v.name] })),
      this.scalars,
      tf.neg(step.learningRate) as Scalar
    );
  }

  /**
   * Scalars for a traced step's per-step inputs (its rate, its decay factor), uploaded once
   * per new value and owned by this optimiser. Not from the constants' cache: a rate equal to
   * a constant (a decay factor of 0.999 = beta2) must not be the same tensor, or the trace
   * would feed the constant from the input.
   */
  stepScalars(values: number[]): Scalar[] {
    this.stepInputs.collect();
    return values.map(v => this.stepInputs.get(v));
  }

  /** Counts a step whose update a traced function computed (tfjs's `iterations`). */
  countTracedStep(): void {
    (this.optimizer as unknown as AdamInternals).incrementIterations();
  }

  /**
   * Makes Adam's moments for `variables` (zeros, where the run has none yet) before a trace:
   * tracedUpdate() only reads and assigns them, since a trace must not create variables.
   */
  prepareTracedUpdate(variables: Variable[]): void {
    const adam = this.optimizer as unknown as AdamInternals;
    variables.forEach((value, i) => ensureMoments(adam, i, value));
  }

  get learningRate(): number {
    return this.rate;
  }

  setLearningRate(rate: number): void {
    if (rate === this.rate) {
      return;
    }
    this.rate = rate;
    if (this.kind === 'sgd') {
      (this.optimizer as ReturnType<typeof tf.train.momentum>).setLearningRate(rate);
    } else {
      (this.optimizer as unknown as { learningRate: number }).learningRate = rate;
    }
  }

  /**
   * Applies one update. `variables` fixes the order, which tfjs uses to match optimiser slots
   * (Adam moments, momentum buffers) to variables; it must be the same on every step and
   * after a resume.
   */
  apply(variables: Variable[], grads: Record<string, Tensor>): void {
    this.optimizer.applyGradients(variables.map(v => ({ name: v.name, tensor: grads[v.name] })));
  }

  /** Snapshot of the optimiser's state: the step counter first, then its slot variables. */
  async weights(): Promise<{ name: string; tensor: Tensor; owned: boolean }[]> {
    const named = await this.optimizer.getWeights();
    // getWeights() makes a fresh 'iter' scalar each call; the slots are the live variables.
    const weights = named.map((w, i) => ({ name: w.name, tensor: w.tensor, owned: i === 0 }));
    if (this.slots) {
      // tfjs's own slot lists stay empty: the moments live in TF resources, read out fresh,
      // in tfjs's layout (every first moment, then every second moment) and names.
      const moments = this.slots.moments();
      weights.push(...moments.map(s => ({ name: `${s.name}/m`, tensor: s.m, owned: true })));
      weights.push(...moments.map(s => ({ name: `${s.name}/v`, tensor: s.v, owned: true })));
    }
    if (this.kind !== 'sgd') {
      // Adam's running beta powers. setWeights() would recompute them as beta^(t+1) with pow(),
      // which can differ in the last float32 bit from the product accumulated step by step;
      // storing them makes a resumed run continue bit for bit.
      const adam = this.optimizer as unknown as { accBeta1: Tensor; accBeta2: Tensor };
      weights.push({ name: ADAM_BETA_POWERS[0], tensor: adam.accBeta1, owned: false });
      weights.push({ name: ADAM_BETA_POWERS[1], tensor: adam.accBeta2, owned: false });
    }
    return weights;
  }

  /** Restores a snapshot into this (fresh, never-stepped) optimiser. */
  async setWeights(weights: { name: string; tensor: Tensor }[]): Promise<void> {
    const extras = weights.filter(w => isExtraOptimizerState(w.name));
    await this.optimizer.setWeights(weights.filter(w => !isExtraOptimizerState(w.name)));
    if (this.slots) {
      // tfjs made its slot variables from the snapshot; move them into the TF resources.
      const adam = this.optimizer as unknown as AdamInternals;
      adam.accumulatedFirstMoment.forEach((first, i) => {
        const second = adam.accumulatedSecondMoment[i];
        const name = first.originalName.replace(/\/m$/, '');
        this.slots!.load(i, name, first.variable, second.variable);
        tf.dispose([first.variable, second.variable]);
      });
      adam.accumulatedFirstMoment = [];
      adam.accumulatedSecondMoment = [];
    }
    if (this.kind !== 'sgd') {
      const adam = this.optimizer as unknown as { accBeta1: Variable; accBeta2: Variable };
      for (const extra of extras) {
        if (extra.name === ADAM_BETA_POWERS[0]) {
          adam.accBeta1.assign(extra.tensor as Scalar);
        }
        if (extra.name === ADAM_BETA_POWERS[1]) {
          adam.accBeta2.assign(extra.tensor as Scalar);
        }
      }
    }
  }

  dispose(): void {
    this.slots?.dispose();
    this.scalars.dispose();
    this.stepInputs.dispose();
    this.releaseLossConstants();
    this.optimizer.dispose();
    // MomentumOptimizer.dispose() forgets SGDOptimizer's cached learning-rate scalar.
    if (this.kind === 'sgd') {
      (this.optimizer as unknown as { c?: Scalar }).c?.dispose();
    }
  }
}

export function createOptimizer(
  kind: OptimizerName,
  learningRate: number,
  momentum: number,
  options: EngineOptimizerOptions = {}
): EngineOptimizer {
  return new EngineOptimizer(kind, learningRate, momentum, options);
}

/** Weights that get weight decay: rank >= 2 (kernels, embeddings), never biases or norms. */
export function decayedVariables(variables: Variable[]): Variable[] {
  return variables.filter(v => v.rank >= 2);
}

/**
 * Decoupled weight decay: w <- w * (1 - lr * wd), before the gradient step (as AdamW does).
 * The factor is uploaded once per step, not once per variable.
 */
export function applyWeightDecay(variables: Variable[], lr: number, weightDecay: number): void {
  if (weightDecay === 0 || variables.length === 0) {
    return;
  }
  tf.tidy(() => {
    const factor = tf.scalar(1 - lr * weightDecay);
    for (const v of variables) {
      v.assign(v.mul(factor));
    }
  });
}

/** sqrt(sum of squares) over every gradient, as a scalar tensor. */
export function globalNorm(grads: Tensor[]): Scalar {
  return tf.tidy(() => {
    const squares = grads.map(g => g.square().sum());
    return (squares.length ? tf.addN(squares) : tf.scalar(0)).sqrt() as Scalar;
  });
}

/** Scales every gradient by clipNorm / max(norm, clipNorm), so the global norm is <= clipNorm. */
export function clipByGlobalNorm(
  grads: Record<string, Tensor>,
  norm: number,
  clipNorm: number
): Record<string, Tensor> {
  if (norm <= clipNorm) {
    return grads;
  }
  // One upload for every gradient (the caller's tidy frees it).
  const scale = tf.scalar(clipNorm / norm);
  const clipped: Record<string, Tensor> = {};
  for (const [name, g] of Object.entries(grads)) {
    clipped[name] = g.mul(scale);
  }
  return clipped;
}

/**
 * Scalars by value, kept until dispose(). The values a run uses are few (Adam's betas and
 * epsilon, the rate and decay factor of the last steps), but a schedule changes the rate every
 * step, so only the most recent MAX_SCALARS values are kept; evicted ones are freed at the next
 * lookup, outside any step that might still use them.
 */
class ScalarCache {
  private static readonly MAX_SCALARS = 16;
  private readonly byValue = new Map<number, Scalar>();
  private readonly pinned = new Set<number>();
  private evicted: Scalar[] = [];

  /** Kept for the whole run (never evicted), e.g. Adam's betas. */
  pin(value: number): Scalar {
    this.pinned.add(value);
    return this.get(value);
  }

  get(value: number): Scalar {
    const hit = this.byValue.get(value);
    if (hit) {
      // Most recently used last, so eviction drops the oldest rate.
      this.byValue.delete(value);
      this.byValue.set(value, hit);
      return hit;
    }
    const made = tf.keep(tf.scalar(value));
    this.byValue.set(value, made);
    if (this.byValue.size > ScalarCache.MAX_SCALARS) {
      for (const [old, tensor] of this.byValue) {
        if (this.pinned.has(old) || old === value) {
          continue;
        }
        this.byValue.delete(old);
        this.evicted.push(tensor);
        break;
      }
    }
    return made;
  }

  /** Frees evicted scalars; called at the start of a step, when no earlier step's op is pending. */
  collect(): void {
    tf.dispose(this.evicted);
    this.evicted = [];
  }

  dispose(): void {
    this.collect();
    tf.dispose([...this.byValue.values()]);
    this.byValue.clear();
    this.pinned.clear();
  }
}

/** The parts of tfjs-core 4.22's AdamOptimizer that its applyGradients reads and writes. */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: { originalName: string; variable: Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: Variable }[];
  applyGradients(grads: { name: string; tensor: Tensor }[] | Record<string, Tensor>): void;
  incrementIterations(): void;
}

/** applyGradients' argument (a list, or a map by variable name) as one list, in its order. */
function namedGradients(
  variableGradients: { name: string; tensor: Tensor }[] | Record<string, Tensor>
): { name: string; gradient: Tensor | undefined }[] {
  return Array.isArray(variableGradients)
    ? variableGradients.map(v => ({ name: v.name, gradient: v.tensor }))
    : Object.entries(variableGradients).map(([name, gradient]) => ({ name, gradient }));
}

/**
 * tfjs-core 4.22's AdamOptimizer.applyGradients, op for op (so every value is bit-identical),
 * with its constants taken from `scalars` instead of uploaded again for every variable on
 * every step: beta1, 1 - beta1, beta2, 1 - beta2, epsilon, 1 and -learningRate (6 per
 * variable plus 3 per step before). Only a new learning rate still costs one upload.
 */
function leanAdamStep(
  adam: AdamInternals,
  variableGradients: { name: string; tensor: Tensor }[] | Record<string, Tensor>,
  scalars: ScalarCache
): void {
  scalars.collect();
  adamUpdate(adam, namedGradients(variableGradients), scalars, scalars.get(-adam.learningRate));
  adam.incrementIterations();
}

/** Variable i's first and second moments, made as zeros (tfjs's names) when missing. */
function ensureMoments(adam: AdamInternals, i: number, value: Variable): void {
  adam.accumulatedFirstMoment[i] ??= {
    originalName: `${value.name}/m`,
    variable: tf.tidy(() => tf.zerosLike(value).variable(false))
  };
  adam.accumulatedSecondMoment[i] ??= {
    originalName: `${value.name}/v`,
    variable: tf.tidy(() => tf.zerosLike(value).variable(false))
  };
}

/** Adam's update of every variable and its beta powers; `negativeRate` is minus the learning rate. */
function adamUpdate(
  adam: AdamInternals,
  updates: { name: string; gradient: Tensor | undefined }[],
  scalars: ScalarCache,
  negativeRate: Scalar
): void {
  const one = scalars.pin(1);
  const beta1 = scalars.pin(adam.beta1);
  const beta2 = scalars.pin(adam.beta2);
  const oneMinusBeta1 = scalars.pin(1 - adam.beta1);
  const oneMinusBeta2 = scalars.pin(1 - adam.beta2);
  const epsilon = scalars.pin(adam.epsilon);
  tf.tidy(() => {
    const oneMinusAccBeta1 = tf.sub(one, adam.accBeta1);
    const oneMinusAccBeta2 = tf.sub(one, adam.accBeta2);
    updates.forEach(({ name, gradient }, i) => {
      const value = tf.engine().registeredVariables[name];
      ensureMoments(adam, i, value);
      if (gradient == null) {
        return;
      }
      const firstMoment = adam.accumulatedFirstMoment[i].variable;
      const secondMoment = adam.accumulatedSecondMoment[i].variable;
      const newFirstMoment = tf.add(tf.mul(firstMoment, beta1), tf.mul(gradient, oneMinusBeta1));
      const newSecondMoment = tf.add(
        tf.mul(secondMoment, beta2),
        tf.mul(tf.square(gradient), oneMinusBeta2)
      );
      const biasCorrectedFirstMoment = tf.div(newFirstMoment, oneMinusAccBeta1);
      const biasCorrectedSecondMoment = tf.div(newSecondMoment, oneMinusAccBeta2);
      firstMoment.assign(newFirstMoment);
      secondMoment.assign(newSecondMoment);
      const update = tf.div(
        biasCorrectedFirstMoment,
        tf.add(tf.sqrt(biasCorrectedSecondMoment), epsilon)
      );
      value.assign(tf.add(tf.mul(update, negativeRate), value));
    });
    adam.accBeta1.assign(tf.mul(adam.accBeta1, beta1));
    adam.accBeta2.assign(tf.mul(adam.accBeta2, beta2));
  });
}

/**
 * The same update as leanAdamStep through TF's fused kernel: per variable one
 * ResourceApplyAdam and one read back; per step the epsilon that makes TF's form of the update
 * equal tfjs's (see backend/native/adam.ts) and the two beta powers. Constants come from
 * `scalars`, so a step uploads nothing while the rate holds.
 */
function nativeAdamStep(
  adam: AdamInternals,
  variableGradients: { name: string; tensor: Tensor }[] | Record<string, Tensor>,
  scalars: ScalarCache,
  slots: NativeAdamSlots
): void {
  scalars.collect();
  const updates = namedGradients(variableGradients);
  const one = scalars.pin(1);
  const beta1 = scalars.pin(adam.beta1);
  const beta2 = scalars.pin(adam.beta2);
  const epsilon = scalars.pin(adam.epsilon);
  const learningRate = scalars.get(adam.learningRate);
  tf.tidy(() => {
    const step = {
      learningRate,
      beta1,
      beta2,
      epsilon: tf.mul(epsilon, tf.sqrt(tf.sub(one, adam.accBeta2))) as Scalar,
      beta1Power: adam.accBeta1 as Scalar,
      beta2Power: adam.accBeta2 as Scalar
    };
    updates.forEach(({ name, gradient }, i) => {
      const value = tf.engine().registeredVariables[name];
      if (gradient == null) {
        slots.ensure(i, value);
        return;
      }
      slots.update(i, value, gradient, step);
    });
    adam.accBeta1.assign(tf.mul(adam.accBeta1, beta1));
    adam.accBeta2.assign(tf.mul(adam.accBeta2, beta2));
  });
  adam.incrementIterations();
}
