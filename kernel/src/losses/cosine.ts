/** The regression loss of BYOL and SimSiam: predictions against (stop-gradient) targets. */
import { tf, type Scalar, type Tensor2D } from '../backend/tf';
import { checkPair } from './check';

/**
 * Mean over the batch of 2 - 2 cos(p, z), i.e. the squared distance of the L2-normalised
 * vectors. z must reach the loss as a constant: from variables the optimiser does not update
 * (BYOL's target network), or detached by the caller (SimSiam's stop-gradient).
 */
export function byolLoss(p: Tensor2D, z: Tensor2D): Scalar {
  checkPair('byolLoss', p, z);
  return tf.tidy(() => {
    const pn = tf.div(p, tf.add(tf.norm(p, 2, 1, true), 1e-12));
    const zn = tf.div(z, tf.add(tf.norm(z, 2, 1, true), 1e-12));
    const cos = tf.sum(tf.mul(pn, zn), 1);
    return tf.mean(tf.sub(2, tf.mul(2, cos))) as Scalar;
  });
}
