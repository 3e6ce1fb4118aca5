import { tf, type Scalar, type Tensor, type Variable } from '../backend/tf';
import type { OptimizerName } from './options';

/** Names of engine-added optimiser state (not part of tfjs's getWeights()). */
export const ADAM_BETA_POWERS = ['engine/adam/accBeta1', 'engine/adam/accBeta2'] as const;

export function isExtraOptimizerState(name: string): boolean {
  return name.startsWith('engine/');
}

type Optimizer = ReturnType<typeof tf.train.adam> | ReturnType<typeof tf.train.momentum>;

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

  constructor(
    readonly kind: OptimizerName,
    learningRate: number,
    momentum: number
  ) {
    this.rate = learningRate;
    this.optimizer =
      kind === 'sgd' ? tf.train.momentum(learningRate, momentum) : tf.train.adam(learningRate);
  }

  get learningRate(): number {
    return this.rate;
  }

  setLearningRate(rate: number): void {
    if (rate === this.rate) return;
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
    if (this.kind !== 'sgd') {
      const adam = this.optimizer as unknown as { accBeta1: Variable; accBeta2: Variable };
      for (const extra of extras) {
        if (extra.name === ADAM_BETA_POWERS[0]) adam.accBeta1.assign(extra.tensor as Scalar);
        if (extra.name === ADAM_BETA_POWERS[1]) adam.accBeta2.assign(extra.tensor as Scalar);
      }
    }
  }

  dispose(): void {
    this.optimizer.dispose();
    // MomentumOptimizer.dispose() forgets SGDOptimizer's cached learning-rate scalar.
    if (this.kind === 'sgd') (this.optimizer as unknown as { c?: Scalar }).c?.dispose();
  }
}

export function createOptimizer(
  kind: OptimizerName,
  learningRate: number,
  momentum: number
): EngineOptimizer {
  return new EngineOptimizer(kind, learningRate, momentum);
}

/** Weights that get weight decay: rank >= 2 (kernels, embeddings), never biases or norms. */
export function decayedVariables(variables: Variable[]): Variable[] {
  return variables.filter(v => v.rank >= 2);
}

/** Decoupled weight decay: w <- w * (1 - lr * wd), before the gradient step (as AdamW does). */
export function applyWeightDecay(variables: Variable[], lr: number, weightDecay: number): void {
  if (weightDecay === 0 || variables.length === 0) return;
  const factor = 1 - lr * weightDecay;
  tf.tidy(() => {
    for (const v of variables) v.assign(v.mul(factor));
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
  if (norm <= clipNorm) return grads;
  const scale = clipNorm / norm;
  const clipped: Record<string, Tensor> = {};
  for (const [name, g] of Object.entries(grads)) clipped[name] = g.mul(scale);
  return clipped;
}
