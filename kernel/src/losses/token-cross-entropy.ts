/** Masked language modeling's loss: cross-entropy on the chosen token positions. */
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../backend/tf';
import { softmaxCrossEntropyRows } from '../backend/native/cross-entropy';

/**
 * Mean cross-entropy of `logits` [..., vocab] against `targets` [...] (int32) over the
 * positions where `weights` is 1 (all positions when absent). Positions with weight 0 do not
 * count at all: neither in the sum nor in the count.
 */
export function mlmLoss(logits: Tensor, targets: Tensor, weights?: Tensor): Scalar {
  return tf.tidy(() => {
    const vocab = logits.shape[logits.rank - 1];
    const rows = softmaxCrossEntropyRows(
      tf,
      tf.reshape(logits, [-1, vocab]) as Tensor2D,
      tf.reshape(targets.toInt(), [-1]) as Tensor1D
    );
    const nll = tf.reshape(rows, logits.shape.slice(0, -1));
    if (!weights) {
      return tf.mean(nll) as Scalar;
    }
    return tf.div(tf.sum(tf.mul(nll, weights)), tf.maximum(tf.sum(weights), 1e-9)) as Scalar;
  });
}
