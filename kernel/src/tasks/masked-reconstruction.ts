/**
 * Masked reconstruction: hide part of each input, encode what is left, decode the whole input
 * from the encoder's features, and score only the hidden part (maskedMse), so copying what is
 * visible earns nothing. masked-image (square patches) and masked-series (spans of steps) are
 * this with another mask.
 */
import { tf, type LayersModel, type Tensor } from '../backend/tf';
import { maskedMse } from '../losses/masked-mse';
import { deriveSeed } from '../util/random';
import { basics, defineTask, type DefinedTask, type TaskBasics } from './define';

export interface MaskedReconstructionDefinition<
  Fields extends object = object,
  Method extends string = string
> extends TaskBasics<Fields, Method> {
  /** Encoder features back to the input's shape; freed by dispose(). */
  decoder: LayersModel;
  /** 1 where hidden, with a size-1 channel axis that broadcasts over the input's channels. */
  mask: (batch: Tensor, seed: number) => Tensor;
  /** Rejects unusable batches (shape, dtype). */
  checkBatch: (batch: Tensor) => void;
}

/** A task that reconstructs masked inputs; hidden positions read 0. */
export function maskedReconstructionTask<
  Fields extends object = object,
  Method extends string = string
>(definition: MaskedReconstructionDefinition<Fields, Method>): DefinedTask<Fields, Method> {
  const { encoder, decoder } = definition;
  // The mask is drawn in prepare (seeded, eager); the objective is the deterministic rest.
  const stages = {
    prepare: (batch: Tensor, seed: number): Tensor[] => {
      definition.checkBatch(batch);
      return [batch.clone(), definition.mask(batch, deriveSeed(seed, 1))];
    },
    objective: ([batch, mask]: Tensor[]) =>
      tf.tidy(() => {
        const visible = tf.mul(batch, tf.sub(1, mask));
        const reconstruction = decoder.apply(encoder.apply(visible, { training: true }), {
          training: true
        }) as Tensor;
        return maskedMse(reconstruction, batch, mask);
      })
  };
  return defineTask({
    ...basics(definition),
    heads: { decoder },
    stages,
    loss: (batch, seed) =>
      tf.tidy(() => {
        const prepared = stages.prepare(batch, seed);
        return stages.objective(prepared);
      })
  });
}
