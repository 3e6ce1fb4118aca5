/** The masked-reconstruction loss of masked-image and masked-series. */
import { tf, type Scalar, type Tensor } from '../backend/tf';

/**
 * Mean squared error over the hidden positions only: `mask` is 1 where the input was hidden
 * and has a size-1 channel axis, so every channel of a hidden position counts:
 * sum(mask * (reconstruction - target)^2) / (sum(mask) * channels). Nothing hidden gives 0,
 * not NaN.
 */
export function maskedMse(reconstruction: Tensor, target: Tensor, mask: Tensor): Scalar {
  return tf.tidy(() => {
    const channels = target.shape[target.rank - 1];
    const squared = tf.mul(tf.square(tf.sub(reconstruction, target)), mask);
    return tf.div(tf.sum(squared), tf.maximum(tf.mul(tf.sum(mask), channels), 1)) as Scalar;
  });
}
