/** VIME's loss (Yoon et al., 2020): mask estimation plus feature reconstruction. */
import { tf, type Scalar, type Tensor, type Tensor2D } from '../backend/tf';
import { check } from '../util/errors';

/**
 * Mean binary cross-entropy between the corruption mask (0/1) and the mask head's logits, plus
 * alpha times the mean squared reconstruction error. BCE is computed from logits as
 * max(l, 0) - l*m + log(1 + exp(-|l|)), stable for any l.
 */
export function vimeLoss(
  mask: Tensor2D,
  maskLogits: Tensor2D,
  rows: Tensor2D,
  reconstruction: Tensor2D,
  alpha: number
): Scalar {
  check(
    typeof alpha === 'number' && Number.isFinite(alpha) && alpha >= 0,
    `VIME alpha must be a non-negative number, got ${String(alpha)}.`,
    'Use e.g. alpha: 2 (0 trains mask estimation only).'
  );
  const same = (a: Tensor, b: Tensor) => a.shape.join() === b.shape.join();
  check(
    same(mask, maskLogits) && same(rows, reconstruction) && same(mask, rows),
    `VIME loss: mask [${mask.shape}], mask logits [${maskLogits.shape}], rows [${rows.shape}] and reconstruction [${reconstruction.shape}] must have one shape.`,
    'Predict one mask logit and one reconstructed value per input feature.'
  );
  return tf.tidy(() => {
    const bce = tf.mean(
      tf.add(
        tf.sub(tf.relu(maskLogits), tf.mul(maskLogits, mask)),
        tf.log1p(tf.exp(tf.neg(tf.abs(maskLogits))))
      )
    );
    const mse = tf.mean(tf.square(tf.sub(rows, reconstruction)));
    return tf.add(bce, tf.mul(mse, alpha)) as Scalar;
  });
}
