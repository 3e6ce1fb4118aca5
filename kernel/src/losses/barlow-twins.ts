/** Barlow Twins' loss (Zbontar et al., 2021): cross-correlation towards the identity. */
import { tf, type Scalar, type Tensor2D } from '../backend/tf';
import { checkPair } from './check';

/**
 * Cross-correlation C of the batch-standardised embeddings; sum of (1 - C_ii)^2 plus lambda
 * times the sum of off-diagonal C_ij^2.
 */
export function barlowTwinsLoss(z1: Tensor2D, z2: Tensor2D, lambda = 5e-3): Scalar {
  checkPair('barlowTwinsLoss', z1, z2);
  return tf.tidy(() => {
    const [n, d] = z1.shape;
    const standardise = (z: Tensor2D) => {
      const { mean, variance } = tf.moments(z, 0, true);
      return tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, 1e-5)));
    };
    const c = tf.div(tf.matMul(standardise(z1), standardise(z2), true, false), n);
    const eye = tf.eye(d);
    const onDiagonal = tf.sum(tf.square(tf.mul(tf.sub(1, c), eye)));
    const offDiagonal = tf.sum(tf.square(tf.mul(c, tf.sub(1, eye))));
    return tf.add(onDiagonal, tf.mul(lambda, offDiagonal)) as Scalar;
  });
}
