import {
  tf,
  type LayersModel,
  type Scalar,
  type Tensor,
  type Variable
} from '../../../kernel/src/backend/tf';
import type { PretextTask } from '../../../kernel/src/tasks/task';

/**
 * A minimal pretext task for testing the engine alone: a one-layer encoder trained to
 * reconstruct a fixed projection of its input. Its loss provably falls under gradient descent.
 */
export function fakeTask(
  inputShape: [number, number, number] = [4, 4, 1],
  lossOverride?: (loss: Scalar, seed: number) => Scalar
): PretextTask {
  const encoder = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape }),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
    ]
  }) as LayersModel;
  return {
    method: 'fake',
    encoder,
    trainableVariables: () => encoder.trainableWeights.map(w => w.read() as Variable),
    loss(batch: Tensor, seed: number): Scalar {
      const z = encoder.apply(batch) as Tensor;
      const target = batch.reshape([batch.shape[0], -1]).slice([0, 0], [-1, 3]).mul(2);
      const loss = tf.losses.meanSquaredError(target, z) as Scalar;
      return lossOverride ? lossOverride(loss, seed) : loss;
    },
    config: () => ({ method: 'fake' }),
    dispose: () => undefined
  };
}
