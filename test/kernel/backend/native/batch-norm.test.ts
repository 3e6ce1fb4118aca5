import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Variable } from '../../../../kernel/src/backend/tf';
import {
  installNativeGradients,
  nativeGradientState,
  uninstallNativeGradients
} from '../../../../kernel/src/backend/native/install';
import { maxDiff, relDiff } from './compare';

interface Run {
  y: Tensor;
  grads: Tensor[];
  moving: Tensor[];
  kernels: string[];
}

let layers = 0;

/** One training-mode call of a fresh BN layer (fixed weights): output, gradients, moving stats. */
async function trainStep(
  native: boolean,
  x: Tensor,
  config: Parameters<typeof tf.layers.batchNormalization>[0] = {}
): Promise<Run> {
  if (native) {
    installNativeGradients(tf);
  } else {
    uninstallNativeGradients(tf);
  }
  const layer = tf.layers.batchNormalization({
    name: `bn_under_test_${++layers}`,
    momentum: 0.9,
    epsilon: 1e-5,
    gammaInitializer: tf.initializers.randomNormal({ mean: 1, stddev: 0.2, seed: 1 }),
    betaInitializer: tf.initializers.randomNormal({ stddev: 0.2, seed: 2 }),
    ...config
  });
  layer.build(x.shape);
  const w = tf.randomNormal(x.shape, 0, 1, 'float32', 3);
  let y: Tensor | undefined;
  const params = layer.trainableWeights.map(v => v.read() as Variable);
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => {
      const out = layer.apply(x, { training: true }) as Tensor;
      y = tf.keep(out.clone());
      return tf.sum(tf.mul(out, w));
    }, params);
    value.dispose();
    return params.map(p => grads[p.name]);
  });
  const grads = profile.result as Tensor[];
  const dx = tf.grad(a => tf.sum(tf.mul(layer.apply(a, { training: true }) as Tensor, w)))(x);
  const moving = layer.nonTrainableWeights.map(v => v.read().clone());
  w.dispose();
  // Never applied to a symbolic input, so Layer.dispose() refuses: free its weights directly.
  layer.weights.forEach(v => v.dispose());
  installNativeGradients(tf);
  return { y: y!, grads: [dx, ...grads], moving, kernels: profile.kernelNames };
}

test('inference (training false) is untouched, and loading the layer used no auto-generated name', () => {
  const layer = tf.layers.batchNormalization({});
  assert.equal(layer.name, 'batch_normalization_BatchNormalization1');
  const x = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 6);
  const y = layer.apply(x) as Tensor;
  assert.ok(maxDiff(y, tf.div(x, Math.sqrt(1 + 1e-3))) < 1e-5);
  tf.dispose([x, y]);
  layer.dispose();
});

test('BatchNormalization in training through FusedBatchNormV3: output, gradients and moving stats as tfjs', async () => {
  assert.equal(nativeGradientState().fusedBatchNorm, true);
  const x = tf.randomNormal([6, 5, 7, 3], 1.5, 2, 'float32', 4);
  const before = tf.memory().numTensors;
  const native = await trainStep(true, x);
  const original = await trainStep(false, x);
  assert.ok(native.kernels.includes('PretextNativeFusedBatchNormV3'), native.kernels.join());
  assert.ok(native.kernels.includes('PretextNativeFusedBatchNormGradV3'), native.kernels.join());
  assert.ok(!original.kernels.some(k => k.startsWith('PretextNative')), original.kernels.join());
  assert.ok(maxDiff(native.y, original.y) < 1e-5, `y ${maxDiff(native.y, original.y)}`);
  native.grads.forEach((g, i) => {
    assert.deepEqual(g.shape, original.grads[i].shape);
    assert.ok(relDiff(g, original.grads[i]) < 1e-4, `grad ${i}: ${relDiff(g, original.grads[i])}`);
  });
  // Moving mean and variance moved the same way (biased variance, momentum 0.9).
  native.moving.forEach((m, i) => assert.ok(relDiff(m, original.moving[i]) < 1e-5, `moving ${i}`));
  for (const r of [native, original]) {
    tf.dispose([r.y, ...r.grads, ...r.moving]);
  }
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('cases the fused kernel does not cover use the original layer code', async () => {
  // A dense feature batch (rank 2) and a sequence batch (rank 3). (tfjs's own training path
  // fails for channels-first axes, with or without this layer.)
  const cases: [number[], Parameters<typeof tf.layers.batchNormalization>[0]][] = [
    [[8, 5], {}],
    [[4, 6, 3], {}]
  ];
  for (const [shape, config] of cases) {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 5);
    const native = await trainStep(true, x, config);
    const original = await trainStep(false, x, config);
    assert.ok(!native.kernels.some(k => k.startsWith('PretextNative')), JSON.stringify(config));
    assert.ok(maxDiff(native.y, original.y) < 1e-6);
    for (const r of [native, original]) {
      tf.dispose([r.y, ...r.grads, ...r.moving]);
    }
    x.dispose();
  }
});
