import {
  tf,
  type LayersModel,
  type Scalar,
  type Tensor,
  type Variable
} from '../../../kernel/src/backend/tf';
import type { PretextTask } from '../../../kernel/src/tasks/task';

export interface FakeTaskExtras {
  /** Seed of the dense kernel's initial values (default 1). */
  initSeed?: number;
  /** Give the task stateVariables() with stable names ('kernel', 'bias'). */
  named?: boolean;
  /** Called by afterStep(step) after every optimiser step. */
  onStep?: (step: number, task: PretextTask) => void;
}

/**
 * A minimal pretext task for testing the engine alone: a one-layer encoder trained to
 * reconstruct a fixed projection of its input. Its loss provably falls under gradient descent.
 */
export function fakeTask(
  inputShape: [number, number, number] = [4, 4, 1],
  lossOverride?: (loss: Scalar, seed: number) => Scalar,
  extras: FakeTaskExtras = {}
): PretextTask {
  const encoder = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape }),
      tf.layers.dense({
        units: 3,
        kernelInitializer: tf.initializers.glorotUniform({ seed: extras.initSeed ?? 1 }),
        biasInitializer: 'zeros'
      })
    ]
  }) as LayersModel;
  const variables = () => encoder.trainableWeights.map(w => w.read() as Variable);
  const task: PretextTask = {
    method: 'fake',
    encoder,
    trainableVariables: variables,
    loss(batch: Tensor, seed: number): Scalar {
      const z = encoder.apply(batch) as Tensor;
      const target = batch.reshape([batch.shape[0], -1]).slice([0, 0], [-1, 3]).mul(2);
      const loss = tf.losses.meanSquaredError(target, z) as Scalar;
      return lossOverride ? lossOverride(loss, seed) : loss;
    },
    config: () => ({ method: 'fake' }),
    dispose: () => undefined
  };
  if (extras.named) {
    task.stateVariables = () => {
      const [kernel, bias] = variables();
      return { kernel, bias };
    };
  }
  if (extras.onStep) {
    task.afterStep = step => extras.onStep!(step, task);
  }
  return task;
}

/** The fake task's weights as plain arrays: [kernel values, bias values]. */
export function weightsOf(task: PretextTask): number[][] {
  return task.trainableVariables().map(v => Array.from(v.dataSync()));
}
