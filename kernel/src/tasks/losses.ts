/**
 * Loss functions for pretext tasks. Pure, differentiable tensor code: called inside the
 * optimiser's gradient tape.
 */
import { tf, type Scalar, type Tensor, type Tensor2D } from '../backend/tf';
import { check, checkPositive } from '../util/errors';
import { l2Normalize } from '../eval/embed';

/**
 * NT-Xent (normalised temperature-scaled cross-entropy), the SimCLR loss.
 *
 * z1[i] and z2[i] are the projections of two views of example i. All 2N rows are L2-normalised,
 * every pair is scored by cosine similarity / temperature, and each of the 2N anchors does a
 * (2N-1)-way classification of its partner view against the other 2N-2 rows (its own
 * similarity is masked out with a large negative). The loss is the mean cross-entropy over the
 * 2N anchors:  mean_a [ -s(a, pos(a)) + log sum_{b != a} exp(s(a, b)) ].
 */
export function ntXentLoss(z1: Tensor2D, z2: Tensor2D, temperature: number): Scalar {
  checkPositive('NT-Xent temperature', temperature);
  check(
    z1 instanceof tf.Tensor && z2 instanceof tf.Tensor && z1.rank === 2 && z2.rank === 2,
    'NT-Xent needs two [batch, dim] tensors of projections.',
    'Pass the projections of the two views as 2-D tensors of the same shape.'
  );
  check(
    z1.shape[0] === z2.shape[0] && z1.shape[1] === z2.shape[1],
    `NT-Xent views differ in shape: [${z1.shape.join(', ')}] vs [${z2.shape.join(', ')}].`,
    'Encode the two views of the same batch, so row i of each is the same example.'
  );
  check(
    z1.shape[0] >= 2,
    `NT-Xent needs at least 2 examples per batch (got ${z1.shape[0]}): the other examples are the negatives.`,
    'Use a batch size of 2 or more (SimCLR works best with 128 or more).'
  );
  const n = z1.shape[0];
  return tf.tidy(() => {
    const z = l2Normalize(tf.concat([z1, z2], 0));
    const logits = tf.div(tf.matMul(z, z, false, true), temperature);
    // Self-similarity out of the softmax: exp(-1e9) is exactly 0 in float32.
    const masked = tf.sub(logits, tf.mul(tf.eye(2 * n), 1e9));
    // Row a's partner is a + N (first half) or a - N (second half).
    const positives = tf.div(
      tf.sum(tf.mul(tf.slice(z, [0, 0], [n, -1]), tf.slice(z, [n, 0], [n, -1])), 1),
      temperature
    );
    const positive = tf.concat([positives, positives], 0);
    return tf.mean(tf.sub(tf.logSumExp(masked, 1), positive)) as Scalar;
  });
}

/**
 * Mean squared error over the hidden positions only, for masked reconstruction (images,
 * series): `mask` is 1 where the input was hidden and has a size-1 channel axis, so every
 * channel of a hidden position counts: sum(mask * (reconstruction - target)^2) /
 * (sum(mask) * channels). Nothing hidden gives 0, not NaN.
 */
export function maskedMse(reconstruction: Tensor, target: Tensor, mask: Tensor): Scalar {
  return tf.tidy(() => {
    const channels = target.shape[target.rank - 1];
    const squared = tf.mul(tf.square(tf.sub(reconstruction, target)), mask);
    return tf.div(tf.sum(squared), tf.maximum(tf.mul(tf.sum(mask), channels), 1)) as Scalar;
  });
}
