/**
 * Shared typing for Pretext's custom tfjs layers. tfjs-layers lacks the layers a transformer
 * needs (self-attention, position embeddings, masked pooling), so they are written here as
 * `tf.layers.Layer` subclasses and registered with tf.serialization: a model that uses them
 * saves, loads (loadEncoder) and clones (cloneEncoder) like any built-in one.
 */
import { tf, type Tensor } from '../../backend/tf';

export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
/** A layer's input shape(s), batch axis first (null = any size). */
export type Shape = (number | null)[];

/** The single tensor of a one-input layer call (tfjs passes a tensor or a list of one). */
export function single(inputs: Tensor | Tensor[]): Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** A tfjs initializer seeded when a seed is given (weights then repeat exactly). */
export function normalInit(stddev: number, seed: number | undefined) {
  return tf.initializers.truncatedNormal({ stddev, ...(seed === undefined ? {} : { seed }) });
}
