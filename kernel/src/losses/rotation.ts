/** Rotation prediction's loss (Gidaris et al., 2018): 4-way cross-entropy. */
import { tf, type Scalar, type Tensor2D } from '../backend/tf';
import { softmaxCrossEntropyRows } from '../backend/native/cross-entropy';
import { check } from '../util/errors';

/**
 * Softmax cross-entropy of `logits` [4N, 4] whose rows come in four blocks of N: the batch
 * rotated by 0, 90, 180 and 270 degrees, so row i's label is floor(i / N).
 */
export function rotationLoss(logits: Tensor2D): Scalar {
  check(
    logits.rank === 2 && logits.shape[1] === 4 && logits.shape[0] % 4 === 0 && logits.shape[0] > 0,
    `rotationLoss: logits must be [4 * batch, 4], got [${logits.shape.join(', ')}].`,
    'Stack the batch rotated by 0, 90, 180 and 270 degrees, in that order, and predict 4 classes.'
  );
  const n = logits.shape[0] / 4;
  return tf.tidy(() => {
    const labels = tf.tensor1d(
      Int32Array.from({ length: 4 * n }, (_, i) => Math.floor(i / n)),
      'int32'
    );
    return tf.mean(softmaxCrossEntropyRows(tf, logits, labels)) as Scalar;
  });
}
