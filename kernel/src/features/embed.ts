/**
 * Turning images (or any inputs) into feature vectors with a trained encoder, for evaluation.
 */
import { tf, type LayersModel, type Tensor, type Tensor2D } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { checkBatchShape } from '../models/shape';

export interface EmbedOptions {
  /** Rows per forward pass; bounds peak memory (default 512). */
  batchSize?: number;
  /** L2-normalise each feature vector (default false). */
  normalize?: boolean;
}

/** Scales each row to unit length; rows of zeros stay zero (eps guards the division). */
export function l2Normalize<T extends Tensor>(x: T, axis = -1, eps = 1e-12): T {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(x), axis, true), eps));
    return tf.div(x, norm) as T;
  });
}

/**
 * Runs `encoder` in inference mode (batch norm uses its moving statistics) over `inputs` in
 * batches and returns the features as one [N, D] tensor, which the caller disposes. Nothing
 * else is left allocated.
 */
export function embed(encoder: LayersModel, inputs: Tensor, options: EmbedOptions = {}): Tensor2D {
  checkOptionNames('embed', options, ['batchSize', 'normalize']);
  const batchSize = options.batchSize ?? 512;
  check(
    Number.isInteger(batchSize) && batchSize > 0,
    `embed: batchSize must be a positive integer, got ${String(batchSize)}.`,
    'Pass e.g. batchSize: 512 (smaller if memory is tight).'
  );
  check(
    encoder !== null && typeof encoder === 'object' && typeof encoder.predict === 'function',
    'embed: the first argument is not a tf.LayersModel encoder.',
    'Pass the encoder, e.g. embed(task.encoder, images).'
  );
  checkBatchShape(encoder, inputs);
  const n = inputs.shape[0];
  const rest = inputs.shape.slice(1).map(() => -1);
  const parts: Tensor2D[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      parts.push(
        tf.tidy(() => {
          const chunk = tf.slice(inputs, [start, ...rest.map(() => 0)], [size, ...rest]);
          const out = encoder.predict(chunk) as Tensor;
          check(
            out.rank === 2,
            `embed: encoder '${encoder.name}' returns shape [${out.shape.join(', ')}], not [batch, features].`,
            'Use an encoder that ends in a flat feature vector (e.g. global average pooling).'
          );
          return (options.normalize ? l2Normalize(out) : out) as Tensor2D;
        })
      );
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  } finally {
    if (parts.length > 1) {
      parts.forEach(p => p.dispose());
    }
  }
}
