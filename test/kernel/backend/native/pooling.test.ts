import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Tensor4D } from '../../../../kernel/src/backend/tf';
import {
  installNativeGradients,
  nativeGradientState
} from '../../../../kernel/src/backend/native/install';
import {
  ONEDNN_PINNED_TF,
  onednnPoolingAvailable,
  poolWindow
} from '../../../../kernel/src/backend/native/pooling';
import { liveWorkspaces } from '../../../../kernel/src/backend/native/pool-workspace';
import { PretextError } from '../../../../kernel/src/util/errors';
import { gradBoth, relDiff } from './compare';

type Pool = 'max' | 'avg';
type Window = [number | [number, number], number | [number, number], 'same' | 'valid'];

// Odd and even sizes, square and non-square windows, strides 1-3, both TF padding modes.
const windows: Window[] = [
  [2, 2, 'same'],
  [2, 2, 'valid'],
  [3, 2, 'same'],
  [3, 1, 'valid'],
  [[3, 2], [2, 1], 'same'],
  [3, 3, 'valid']
];
const shapes: [number, number, number, number][] = [
  [2, 7, 5, 3],
  [3, 8, 8, 4]
];

const pool =
  (kind: Pool, [size, strides, pad]: Window) =>
  (x: Tensor) =>
    kind === 'max'
      ? tf.maxPool(x as Tensor4D, size, strides, pad)
      : tf.avgPool(x as Tensor4D, size, strides, pad);

test(`oneDNN pooling is available on the pinned TF build (${ONEDNN_PINNED_TF})`, () => {
  assert.equal(onednnPoolingAvailable(tf), true);
  assert.equal(nativeGradientState().onednnPooling, true);
  assert.ok(nativeGradientState().kernels.includes('MaxPool'));
});

for (const kind of ['max', 'avg'] as Pool[]) {
  for (const onednn of [true, false]) {
    test(`${kind}-pool gradient, ${onednn ? 'oneDNN' : 'public-kernel fallback'}: equals tfjs's for every window, no leaks`, async () => {
      for (const shape of shapes) {
        for (const w of windows) {
          const x = tf.randomNormal(shape, 0, 1, 'float32', 3);
          const before = tf.memory().numTensors;
          const { native, original, nativeKernels } = await gradBoth(pool(kind, w), x, {
            onednnPooling: onednn
          });
          const mkl = `PretextNative_MklNative${kind === 'max' ? 'Max' : 'Avg'}PoolGrad`;
          const publicKernel = kind === 'max' ? 'MaxPoolGrad' : 'AvgPoolGrad';
          const label = `${shape} ${JSON.stringify(w)}`;
          assert.equal(nativeKernels.includes(mkl), onednn, `${label}: ${nativeKernels.join()}`);
          assert.equal(nativeKernels.includes(publicKernel), !onednn, label);
          assert.deepEqual(native.shape, x.shape);
          assert.equal(native.dtype, 'float32');
          assert.ok(relDiff(native, original) <= 1e-6, `${label}: ${relDiff(native, original)}`);
          tf.dispose([native, original]);
          assert.equal(tf.memory().numTensors, before, label);
          x.dispose();
        }
      }
      installNativeGradients(tf);
    });
  }
}

test('poolWindow: TF attrs for same/valid, nothing (so the original runs) for explicit pads', () => {
  const x = tf.zeros([2, 7, 5, 3]);
  assert.deepEqual(poolWindow(tf, x, { filterSize: [3, 2], strides: 2, pad: 'same' }), {
    ksize: [1, 3, 2, 1],
    strides: [1, 2, 2, 1],
    padding: 'SAME'
  });
  assert.equal(poolWindow(tf, x, { filterSize: 3, strides: 2, pad: 1 }), undefined);
  const rounding = { filterSize: 3, strides: 2, pad: 1, dimRoundingMode: 'floor' };
  assert.equal(poolWindow(tf, x, rounding), undefined);
  x.dispose();
});

test('the oneDNN probe says no for another TF build or a missing op', () => {
  assert.equal(onednnPoolingAvailable(tf, { version: '2.20.0' }), false);
  assert.equal(onednnPoolingAvailable(tf, { op: '_MklNativeNoSuchPoolGrad' }), false);
  const before = tf.memory().numTensors;
  onednnPoolingAvailable(tf);
  assert.equal(tf.memory().numTensors, before);
});

test('channels-first (NCHW) pooling is refused with a PretextError naming the fix', () => {
  const x = tf.zeros([1, 3, 8, 8]);
  assert.throws(
    () => poolWindow(tf, x, { filterSize: 2, strides: 2, pad: 'same', dataFormat: 'NCHW' }),
    (e: unknown) => e instanceof PretextError && /NHWC/.test(e.problem) && /channels/.test(e.fix)
  );
  x.dispose();
});

test('oneDNN max-pool workspaces live exactly as long as their outputs; inference makes none', () => {
  const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 5);
  const inference = tf.maxPool(x as Tensor4D, 2, 2, 'same');
  assert.equal(liveWorkspaces(), 0);
  inference.dispose();
  const g = tf.grad(a => tf.sum(tf.maxPool(a as Tensor4D, 2, 2, 'same')))(x);
  assert.equal(liveWorkspaces(), 0, 'the forward output and its tape copy are gone');
  g.dispose();
  // A kept output keeps its workspace until the output itself is disposed.
  const kept: Tensor[] = [];
  const h = tf.grad(a => {
    const y = tf.maxPool(a as Tensor4D, 2, 2, 'same');
    kept.push(tf.keep(y.clone()));
    return tf.sum(y);
  })(x);
  assert.equal(liveWorkspaces(), 1);
  tf.dispose(kept);
  assert.equal(liveWorkspaces(), 0);
  tf.dispose([x, h]);
});

test('a max-pool output recorded without a workspace takes the public gradient', async () => {
  const x = tf.randomNormal([2, 6, 6, 3], 0, 1, 'float32', 6);
  const y = tf.maxPool(x as Tensor4D, 2, 2, 'valid');
  const dy = tf.onesLike(y);
  const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
  const grads = tf.getGradient('MaxPool').gradFunc(dy, [x, y], attrs) as Record<
    string,
    () => Tensor
  >;
  const profile = await tf.profile(() => grads.x());
  assert.ok(profile.kernelNames.includes('MaxPoolGrad'), profile.kernelNames.join());
  tf.dispose([x, y, dy]);
  tf.dispose(profile.result as Tensor);
});
