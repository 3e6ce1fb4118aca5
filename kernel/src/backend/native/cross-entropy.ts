/**
 * Softmax cross-entropy per row through TF's fused kernels, `SparseSoftmaxCrossEntropyWithLogits`
 * (class ids) and `SoftmaxCrossEntropyWithLogits` (label distributions). One C++ pass over the
 * logits returns each row's loss and its gradient (softmax - labels) together; tfjs builds the
 * same from max, sub, exp, sum, log and a one-hot product, and walks each of them again
 * backwards. TF has no standalone Softmax/LogSoftmax gradient kernel (its own gradient is a
 * composition too), so this is the loss-level entry point rather than a gradient override.
 *
 * The native path runs only while the native-gradient layer has switched it on (install.ts,
 * after probing that the loaded TF build runs both kernels); otherwise, and for shapes or
 * dtypes the kernels do not cover, the tfjs composition computes the same values.
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import { check } from '../../util/errors';
import { attrs, nativeKernel, nativeKernelMulti, type NodeBackend, type TF } from './ops';

type Tensor = tfTypes.Tensor;
type Tensor1D = tfTypes.Tensor1D;
type Tensor2D = tfTypes.Tensor2D;

/**
 * From this many classes on, class ids go through a one-hot and the dense kernel: the sparse
 * kernel computes its loss and gradient element by element through generators, measured
 * 15-20% slower here than OneHot + the vectorised dense kernel at 1024-30000 classes, and
 * faster below about 512 (a 4-class row: 0.14 vs 0.33 ms per 1024 rows).
 */
export const DENSE_FROM_CLASSES = 512;

let nativeOn = false;
let available: boolean | undefined;
let sparseKernel: ((inputs: Tensor[]) => Tensor[]) | undefined;
let denseKernel: ((inputs: Tensor[]) => Tensor[]) | undefined;
let scaleRows: ((inputs: Tensor[]) => Tensor) | undefined;

function fusedKernel(tf: TF, op: string, labelAttr: boolean) {
  return nativeKernelMulti(tf, op, (backend: NodeBackend, inputs) => {
    const a = attrs(backend);
    const opAttrs = [a.type('T', 'float32')];
    if (labelAttr) {
      opAttrs.push(a.type('Tlabels', 'int32'));
    }
    return backend.executeMultipleOutputs(op, opAttrs, inputs, 2);
  });
}

function kernels(tf: TF) {
  sparseKernel ??= fusedKernel(tf, 'SparseSoftmaxCrossEntropyWithLogits', true);
  denseKernel ??= fusedKernel(tf, 'SoftmaxCrossEntropyWithLogits', false);
  // dy[:, None] * backprop, as a kernel without a registered gradient: a second-order gradient
  // through the loss then fails with tfjs's "gradient function not found" instead of treating
  // the saved backprop as a constant and coming out silently wrong.
  scaleRows ??= nativeKernel(tf, 'SoftmaxCrossEntropyBackprop', (backend, inputs) =>
    backend.executeSingleOutput('Mul', [attrs(backend).type('T', 'float32')], inputs)
  );
  return { sparse: sparseKernel, dense: denseKernel, scale: scaleRows };
}

/**
 * Whether the loaded TF build runs both fused kernels (probed once on a 1x2 row: the loss must
 * be log 2). Off the native backend the answer is false.
 */
export function fusedCrossEntropyAvailable(tf: TF): boolean {
  if (tf.getBackend() !== 'tensorflow') {
    return false;
  }
  if (available === undefined) {
    try {
      const k = kernels(tf);
      tf.tidy(() => {
        const logits = tf.zeros([1, 2]);
        const [sparseLoss] = k.sparse([logits, tf.zeros([1], 'int32')]);
        const [denseLoss] = k.dense([logits, tf.tensor2d([[1, 0]])]);
        const near = (t: Tensor) => Math.abs(t.dataSync()[0] - Math.LN2) < 1e-6;
        available = near(sparseLoss) && near(denseLoss);
      });
    } catch {
      available = false;
    }
  }
  return available === true;
}

/**
 * Switches the fused path on or off for the whole process (the native-gradient layer calls
 * this when it installs and uninstalls). Returns whether it is on: never where the kernels
 * are missing.
 */
export function setFusedCrossEntropy(tf: TF, on: boolean): boolean {
  nativeOn = on && fusedCrossEntropyAvailable(tf);
  return nativeOn;
}

export function fusedCrossEntropyOn(): boolean {
  return nativeOn;
}

/**
 * Softmax cross-entropy of each row of `logits` [rows, classes]: -log softmax(row)[label]
 * with `labels` [rows] class ids (int32), or -sum(labels * log softmax(row)) with `labels`
 * [rows, classes] probability rows. Class ids must lie in [0, classes): outside it TF's sparse
 * kernel throws and the one-hot paths see an all-zero label row, so the result is not defined
 * there. Differentiable w.r.t. the logits only (labels are targets, no gradient reaches
 * them); float32 [rows] out. Stable for large logits (max-shifted in both paths) and for
 * masked entries such as -1e9, whose softmax and gradient are exactly 0.
 */
export function softmaxCrossEntropyRows(
  tf: TF,
  logits: Tensor2D,
  labels: Tensor1D | Tensor2D
): Tensor1D {
  const sparse = labels.rank === 1;
  check(
    logits.rank === 2 &&
      logits.shape[1] > 0 &&
      labels.shape[0] === logits.shape[0] &&
      (sparse || (labels.rank === 2 && labels.shape[1] === logits.shape[1])),
    `softmaxCrossEntropyRows: logits must be [rows, classes] and labels [rows] class ids or [rows, classes], got [${logits.shape.join(', ')}] and [${labels.shape.join(', ')}].`,
    'Flatten the logits to 2-D and pass one label (or one label distribution) per row.'
  );
  const rows = logits.shape[0];
  const covered =
    nativeOn &&
    logits.dtype === 'float32' &&
    (sparse ? labels.dtype === 'int32' : labels.dtype === 'float32') &&
    rows > 0;
  return covered ? fused(tf, logits, labels, sparse) : composed(tf, logits, labels, sparse);
}

function fused(tf: TF, logits: Tensor2D, labels: Tensor, sparse: boolean): Tensor1D {
  const k = kernels(tf);
  const classes = logits.shape[1];
  const run = (x: Tensor) =>
    !sparse
      ? k.dense([x, labels])
      : classes < DENSE_FROM_CLASSES
        ? k.sparse([x, labels])
        : k.dense([x, tf.oneHot(labels as Tensor1D, classes, 1, 0, 'float32')]);
  const rowLoss = tf.customGrad((...args: (Tensor | tfTypes.GradSaveFunc)[]) => {
    const [x, save] = args as [Tensor, tfTypes.GradSaveFunc];
    // customGrad runs this in a tidy: the one-hot is freed with the forward.
    const [loss, backprop] = run(x);
    // Saved only while a gradient tape records (customGrad keeps a clone); freed after backprop.
    save([backprop]);
    return {
      value: loss,
      gradFunc: (dy, [saved]) => k.scale([tf.reshape(dy as Tensor, [-1, 1]), saved])
    };
  });
  return rowLoss(logits) as Tensor1D;
}

/** tfjs's own ops: what the rows come to without the fused kernels. */
function composed(tf: TF, logits: Tensor2D, labels: Tensor, sparse: boolean): Tensor1D {
  return tf.tidy(() => {
    const x = logits.dtype === 'float32' ? logits : tf.cast(logits, 'float32');
    const target = sparse ? oneHotRows(tf, labels, logits.shape[1]) : tf.cast(labels, 'float32');
    return tf.neg(tf.sum(tf.mul(target, tf.logSoftmax(x)), 1)) as Tensor1D;
  });
}

function oneHotRows(tf: TF, labels: Tensor, classes: number): Tensor {
  const ids = tf.cast(labels, 'int32') as Tensor1D;
  if (classes >= 2) {
    return tf.oneHot(ids, classes, 1, 0, 'float32');
  }
  // tfjs's oneHot wants depth >= 2; with one class the row is just (id == 0).
  return tf.cast(tf.equal(tf.expandDims(ids, 1), 0), 'float32');
}
