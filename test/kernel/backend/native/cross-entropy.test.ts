import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Tensor1D, type Tensor2D } from '../../../../kernel/src/backend/tf';
import {
  DENSE_FROM_CLASSES,
  fusedCrossEntropyAvailable,
  fusedCrossEntropyOn,
  setFusedCrossEntropy,
  softmaxCrossEntropyRows
} from '../../../../kernel/src/backend/native/cross-entropy';
import {
  installNativeGradients,
  nativeGradientState,
  uninstallNativeGradients
} from '../../../../kernel/src/backend/native/install';
import { mlmLoss } from '../../../../kernel/src/losses/token-cross-entropy';
import { mocoLoss, ntXentLoss } from '../../../../kernel/src/losses/nt-xent';
import { rotationLoss } from '../../../../kernel/src/losses/rotation';
import { PretextError } from '../../../../kernel/src/util/errors';
import { relDiff } from './compare';

const SPARSE_KERNEL = 'PretextNativeSparseSoftmaxCrossEntropyWithLogits';
const DENSE_KERNEL = 'PretextNativeSoftmaxCrossEntropyWithLogits';

interface Run {
  value: Tensor;
  grad: Tensor;
  kernels: string[];
}

/** Rows, and d/dlogits of sum(rows * w) for a fixed random w, with the fused path on or off. */
async function rowsAndGrad(logits: Tensor2D, labels: Tensor, fused: boolean): Promise<Run> {
  const wasOn = fusedCrossEntropyOn();
  setFusedCrossEntropy(tf, fused);
  const w = tf.randomNormal([logits.shape[0]], 0, 1, 'float32', 11);
  const f = (x: Tensor) =>
    tf.sum(tf.mul(softmaxCrossEntropyRows(tf, x as Tensor2D, labels as Tensor1D), w));
  let value: Tensor | undefined;
  let grad: Tensor | undefined;
  const profile = await tf.profile(() => {
    value = softmaxCrossEntropyRows(tf, logits, labels as Tensor1D);
    grad = tf.grad(f)(logits);
    return [value, grad];
  });
  setFusedCrossEntropy(tf, wasOn);
  w.dispose();
  return { value: value!, grad: grad!, kernels: profile.kernelNames };
}

/** Fused vs tfjs composition on the same inputs: values and gradients within `tolerance`. */
async function assertPathsAgree(logits: Tensor2D, labels: Tensor, tolerance = 1e-5) {
  // Class ids over many classes go through a one-hot into the dense kernel (cross-entropy.ts).
  const viaSparse = labels.rank === 1 && logits.shape[1] < DENSE_FROM_CLASSES;
  const before = tf.memory().numTensors;
  const native = await rowsAndGrad(logits, labels, true);
  const composed = await rowsAndGrad(logits, labels, false);
  assert.ok(
    native.kernels.includes(viaSparse ? SPARSE_KERNEL : DENSE_KERNEL),
    native.kernels.join()
  );
  assert.ok(!composed.kernels.some(k => k.startsWith('PretextNative')), composed.kernels.join());
  for (const run of [native, composed]) {
    assert.deepEqual(run.value.shape, [logits.shape[0]]);
    assert.equal(run.value.dtype, 'float32');
    assert.deepEqual(run.grad.shape, logits.shape);
    assert.equal(run.grad.dtype, 'float32');
    assert.ok(Array.from(run.value.dataSync()).every(Number.isFinite), 'finite rows');
    assert.ok(Array.from(run.grad.dataSync()).every(Number.isFinite), 'finite gradient');
  }
  const dv = relDiff(native.value, composed.value);
  const dg = relDiff(native.grad, composed.grad);
  assert.ok(dv <= tolerance, `rows rel diff ${dv}`);
  assert.ok(dg <= tolerance, `gradient rel diff ${dg}`);
  tf.dispose([native.value, native.grad, composed.value, composed.grad]);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
}

/** The rows of `softmaxCrossEntropyRows` with the fused path on, then off. */
function rowsBothWays(logits: Tensor2D, labels: Tensor): [number[], number[]] {
  const wasOn = fusedCrossEntropyOn();
  const read = (fused: boolean) => {
    setFusedCrossEntropy(tf, fused);
    return tf.tidy(() =>
      Array.from(softmaxCrossEntropyRows(tf, logits, labels as Tensor1D).dataSync())
    );
  };
  const both: [number[], number[]] = [read(true), read(false)];
  setFusedCrossEntropy(tf, wasOn);
  return both;
}

test('the loaded TF build runs both fused kernels, and the installed layer switches them on', () => {
  assert.equal(fusedCrossEntropyAvailable(tf), true);
  const wasInstalled = nativeGradientState().kernels.length > 0;
  installNativeGradients(tf);
  assert.equal(nativeGradientState().fusedCrossEntropy, true);
  assert.equal(fusedCrossEntropyOn(), true);
  installNativeGradients(tf, { fusedCrossEntropy: false });
  assert.equal(nativeGradientState().fusedCrossEntropy, false);
  assert.equal(fusedCrossEntropyOn(), false);
  installNativeGradients(tf);
  uninstallNativeGradients(tf);
  assert.equal(nativeGradientState().fusedCrossEntropy, false);
  assert.equal(fusedCrossEntropyOn(), false);
  if (wasInstalled) {
    installNativeGradients(tf);
  }
});

test('class ids: fused rows and gradient equal the tfjs composition on random logits', async () => {
  const logits = tf.randomNormal([37, 23], 0, 3, 'float32', 1) as Tensor2D;
  const labels = tf.randomUniform([37], 0, 23, 'int32', 2);
  await assertPathsAgree(logits, labels);
  tf.dispose([logits, labels]);
});

test('class ids over many classes (one-hot into the dense kernel) agree too', async () => {
  const classes = DENSE_FROM_CLASSES + 88;
  const logits = tf.randomNormal([9, classes], 0, 3, 'float32', 19) as Tensor2D;
  const labels = tf.randomUniform([9], 0, classes, 'int32', 20);
  await assertPathsAgree(logits, labels);
  tf.dispose([logits, labels]);
});

test('label distributions: fused rows and gradient equal the tfjs composition', async () => {
  const logits = tf.randomNormal([19, 7], 0, 2, 'float32', 3) as Tensor2D;
  const labels = tf.softmax(tf.randomNormal([19, 7], 0, 1, 'float32', 4));
  await assertPathsAgree(logits, labels);
  tf.dispose([logits, labels]);
});

test('rows are -log softmax at the label, by hand', async () => {
  const logits = tf.tensor2d([
    [2, 0, 0],
    [1, 1, 1]
  ]);
  const labels = tf.tensor1d([0, 2], 'int32');
  const lse = (row: number[]) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
  const expected = [lse([2, 0, 0]) - 2, lse([1, 1, 1]) - 1];
  await assertPathsAgree(logits, labels);
  for (const got of rowsBothWays(logits, labels)) {
    expected.forEach((e, i) => assert.ok(Math.abs(got[i] - e) < 1e-6, `${got[i]} vs ${e}`));
  }
  tf.dispose([logits, labels]);
});

test('logits of magnitude 1e4 stay finite and agree (the softmax is max-shifted)', async () => {
  const logits = tf.mul(tf.randomUniform([16, 9], -1, 1, 'float32', 5), 1e4) as Tensor2D;
  const labels = tf.randomUniform([16], 0, 9, 'int32', 6);
  await assertPathsAgree(logits, labels);
  // A row whose label sits 2e4 below the max: the row loss is that gap, the gradient ±1.
  const extreme = tf.tensor2d([[1e4, -1e4, 0]]);
  const label = tf.tensor1d([1], 'int32');
  for (const [row] of rowsBothWays(extreme, label)) {
    assert.ok(Math.abs(row - 2e4) < 1, String(row));
  }
  await assertPathsAgree(extreme, label);
  tf.dispose([logits, labels, extreme, label]);
});

test("a -1e9 masked entry (NT-Xent's diagonal) gets probability and gradient exactly 0", async () => {
  const n = 6;
  const logits = tf.tidy(() =>
    tf.sub(tf.randomNormal([n, n], 0, 2, 'float32', 7), tf.mul(tf.eye(n), 1e9))
  ) as Tensor2D;
  const labels = tf.tensor1d(
    Int32Array.from({ length: n }, (_, a) => (a + n / 2) % n),
    'int32'
  );
  const wasOn = fusedCrossEntropyOn();
  for (const fused of [true, false]) {
    setFusedCrossEntropy(tf, fused);
    const grad = tf.grad(x => tf.sum(softmaxCrossEntropyRows(tf, x as Tensor2D, labels)))(logits);
    const diagonal = tf.tidy(() => tf.sum(tf.abs(tf.mul(grad, tf.eye(n)))).dataSync()[0]);
    assert.equal(diagonal, 0, `fused ${fused}`);
    grad.dispose();
  }
  setFusedCrossEntropy(tf, wasOn);
  await assertPathsAgree(logits, labels);
  tf.dispose([logits, labels]);
});

test('a batch of one row, and a single class (loss 0, gradient 0) on both paths', async () => {
  const one = tf.randomNormal([1, 5], 0, 1, 'float32', 8) as Tensor2D;
  const oneLabel = tf.tensor1d([3], 'int32');
  await assertPathsAgree(one, oneLabel);
  const single = tf.randomNormal([4, 1], 0, 1, 'float32', 9) as Tensor2D;
  const zeros = tf.zeros([4], 'int32');
  await assertPathsAgree(single, zeros);
  for (const rows of rowsBothWays(single, zeros)) {
    assert.ok(rows.length === 4 && rows.every(v => v === 0), rows.join());
  }
  const wasOn = fusedCrossEntropyOn();
  for (const fused of [true, false]) {
    setFusedCrossEntropy(tf, fused);
    const grad = tf.grad(x =>
      tf.sum(softmaxCrossEntropyRows(tf, x as Tensor2D, zeros as Tensor1D))
    )(single);
    assert.ok(
      Array.from(grad.dataSync()).every(v => v === 0),
      `fused ${fused}`
    );
    grad.dispose();
  }
  setFusedCrossEntropy(tf, wasOn);
  tf.dispose([one, oneLabel, single, zeros]);
});

test('with the native layer uninstalled the tfjs composition runs, with the same values', async () => {
  const wasInstalled = nativeGradientState().kernels.length > 0;
  const logits = tf.randomNormal([12, 10], 0, 2, 'float32', 10) as Tensor2D;
  const labels = tf.randomUniform([12], 0, 10, 'int32', 11) as Tensor1D;
  installNativeGradients(tf);
  const fused = tf.tidy(() => Array.from(softmaxCrossEntropyRows(tf, logits, labels).dataSync()));
  uninstallNativeGradients(tf);
  const profile = await tf.profile(() => softmaxCrossEntropyRows(tf, logits, labels));
  assert.ok(!profile.kernelNames.some(k => k.startsWith('PretextNative')));
  const composed = Array.from((profile.result as Tensor).dataSync());
  (profile.result as Tensor).dispose();
  fused.forEach((v, i) => assert.ok(Math.abs(v - composed[i]) <= 1e-5 * Math.abs(v), `row ${i}`));
  if (wasInstalled) {
    installNativeGradients(tf);
  }
  tf.dispose([logits, labels]);
});

test('the installed layer puts NT-Xent, MoCo, MLM and rotation on the fused kernel', async () => {
  const wasInstalled = nativeGradientState().kernels.length > 0;
  installNativeGradients(tf);
  const z1 = tf.randomNormal([8, 4], 0, 1, 'float32', 12) as Tensor2D;
  const z2 = tf.randomNormal([8, 4], 0, 1, 'float32', 13) as Tensor2D;
  const queue = tf.randomNormal([5, 4], 0, 1, 'float32', 14) as Tensor2D;
  const tokens = tf.randomNormal([2, 3, 11], 0, 1, 'float32', 15);
  const targets = tf.randomUniform([2, 3], 0, 11, 'int32', 16);
  const rotation = tf.randomNormal([8, 4], 0, 1, 'float32', 17) as Tensor2D;
  const losses: [string, () => Tensor][] = [
    ['NT-Xent', () => ntXentLoss(z1, z2, 0.5)],
    ['MoCo', () => mocoLoss(z1, z2, queue, 0.2, 3)],
    ['MLM', () => mlmLoss(tokens, targets)],
    ['rotation', () => rotationLoss(rotation)]
  ];
  for (const [name, loss] of losses) {
    const profile = await tf.profile(loss);
    assert.ok(
      profile.kernelNames.includes(SPARSE_KERNEL),
      `${name}: ${profile.kernelNames.join()}`
    );
    const fused = (profile.result as Tensor).dataSync()[0];
    (profile.result as Tensor).dispose();
    uninstallNativeGradients(tf);
    const composed = tf.tidy(() => loss().dataSync()[0]);
    installNativeGradients(tf);
    assert.ok(
      Math.abs(fused - composed) <= 1e-5 * Math.abs(composed),
      `${name}: ${fused} vs ${composed}`
    );
  }
  if (!wasInstalled) {
    uninstallNativeGradients(tf);
  }
  tf.dispose([z1, z2, queue, tokens, targets, rotation]);
});

test('a second-order gradient through the fused loss fails loudly instead of coming out wrong', () => {
  const wasOn = fusedCrossEntropyOn();
  setFusedCrossEntropy(tf, true);
  const logits = tf.randomNormal([3, 4], 0, 1, 'float32', 18) as Tensor2D;
  const labels = tf.tensor1d([0, 1, 2], 'int32');
  const inner = (x: Tensor) =>
    tf.sum(tf.square(softmaxCrossEntropyRows(tf, x as Tensor2D, labels as Tensor1D)));
  assert.throws(
    () => tf.grad(x => tf.sum(tf.grad(inner)(x)))(logits),
    /gradient function not found for PretextNativeSoftmaxCrossEntropyBackprop/
  );
  setFusedCrossEntropy(tf, wasOn);
  tf.dispose([logits, labels]);
});

test('shapes that do not fit are a PretextError', () => {
  const logits = tf.zeros([3, 4]) as Tensor2D;
  const bad: Tensor[] = [tf.zeros([2], 'int32'), tf.zeros([3, 5]), tf.zeros([3, 4, 1])];
  for (const labels of bad) {
    assert.throws(() => softmaxCrossEntropyRows(tf, logits, labels as Tensor1D), PretextError);
  }
  const noClasses = tf.zeros([3, 0]) as Tensor2D;
  assert.throws(
    () => softmaxCrossEntropyRows(tf, noClasses, tf.zeros([3], 'int32') as Tensor1D),
    PretextError
  );
  tf.dispose([logits, noClasses, ...bad]);
});
