import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Variable } from '../../../../kernel/src/backend/tf';
import {
  installNativeGradients,
  nativeGradientState,
  uninstallNativeGradients,
  type NativeGradientOptions
} from '../../../../kernel/src/backend/native/install';
import {
  biasKernels,
  convWithBiasAvailable,
  convWithBiasKernel
} from '../../../../kernel/src/backend/native/conv';
import { relDiff } from './compare';

interface Run {
  y: Tensor;
  /** d/d(input), then d/d(kernel), d/d(bias). */
  grads: Tensor[];
  kernels: string[];
}

let layers = 0;

/** One training-mode call of a fresh Conv2D layer (seeded weights): output and gradients. */
async function convStep(
  native: boolean | NativeGradientOptions,
  x: Tensor,
  config: Partial<Parameters<typeof tf.layers.conv2d>[0]> = {},
  withInputGradient = true
): Promise<Run> {
  if (native) {
    installNativeGradients(tf, native === true ? {} : native);
  } else {
    uninstallNativeGradients(tf);
  }
  const layer = tf.layers.conv2d({
    name: `conv_under_test_${++layers}`,
    filters: 5,
    kernelSize: 3,
    kernelInitializer: tf.initializers.glorotNormal({ seed: 1 }),
    biasInitializer: tf.initializers.randomNormal({ seed: 2 }),
    ...config
  });
  layer.build(x.shape);
  const y = tf.tidy(() => layer.apply(x, { training: true }) as Tensor);
  const w = tf.randomNormal(y.shape, 0, 1, 'float32', 3);
  const params = layer.trainableWeights.map(v => v.read() as Variable);
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.mul(layer.apply(x, { training: true }) as Tensor, w)),
      params
    );
    value.dispose();
    return params.map(p => grads[p.name]);
  });
  const grads = profile.result as Tensor[];
  const dx = withInputGradient
    ? [tf.grad(a => tf.sum(tf.mul(layer.apply(a, { training: true }) as Tensor, w)))(x)]
    : [];
  w.dispose();
  layer.weights.forEach(v => v.dispose());
  installNativeGradients(tf);
  return { y, grads: [...dx, ...grads], kernels: profile.kernelNames };
}

test('Conv2D + bias: same output, same input/kernel/bias gradients, fused or BiasAdd, BiasAddGrad', async () => {
  for (const [shape, config] of [
    [[4, 9, 9, 3], { padding: 'same' }],
    [[3, 8, 7, 2], { padding: 'valid', strides: 2 }],
    [[2, 11, 6, 1], { padding: 'same', strides: [2, 1], kernelSize: [3, 2] }],
    [[5, 5, 5, 4], { padding: 'valid', kernelSize: 1 }]
  ] as const) {
    const x = tf.randomNormal(shape as unknown as number[], 0, 1, 'float32', 4);
    const a = await convStep(false, x, config as never);
    for (const convWithBias of [true, false]) {
      const what = `${JSON.stringify(config)} convWithBias ${convWithBias}`;
      const b = await convStep({ convWithBias }, x, config as never);
      assert.equal(relDiff(b.y, a.y), 0, `${what}: the forward is the same arithmetic`);
      assert.equal(a.grads.length, 3);
      a.grads.forEach((g, i) => {
        assert.deepEqual(b.grads[i].shape, g.shape);
        assert.equal(b.grads[i].dtype, 'float32');
        assert.ok(relDiff(b.grads[i], g) < 1e-5, `${what} gradient ${i}`);
      });
      assert.ok(b.kernels.includes('PretextNativeBiasAddGrad'), b.kernels.join(' '));
      assert.equal(b.kernels.includes('PretextNative_MklNativeConv2DWithBias'), convWithBias);
      assert.equal(b.kernels.includes('PretextNativeBiasAdd'), !convWithBias);
      tf.dispose([b.y, ...b.grads]);
    }
    assert.ok(!a.kernels.includes('PretextNativeBiasAdd'));
    tf.dispose([x, a.y, ...a.grads]);
  }
});

test('only weight gradients wanted: no input gradient is computed (the first layer of a model)', async () => {
  const x = tf.randomNormal([4, 10, 10, 1], 0, 1, 'float32', 5);
  const a = await convStep(false, x, { padding: 'same' }, false);
  assert.ok(a.kernels.includes('Conv2DBackpropInput'), "tfjs's fused gradient computes it");
  for (const convWithBias of [true, false]) {
    const b = await convStep({ convWithBias }, x, { padding: 'same' }, false);
    assert.ok(!b.kernels.includes('Conv2DBackpropInput'), b.kernels.join(' '));
    b.grads.forEach((g, i) => assert.ok(relDiff(g, a.grads[i]) < 1e-5));
    tf.dispose([b.y, ...b.grads]);
  }
  tf.dispose([x, a.y, ...a.grads]);
});

test('no bias, and a case it does not cover (activation inside the layer) keep the original path', async () => {
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 6);
  for (const config of [
    { useBias: false, padding: 'same' },
    { activation: 'relu', padding: 'same' }
  ] as const) {
    const a = await convStep(false, x, config as never);
    const b = await convStep(true, x, config as never);
    assert.equal(relDiff(b.y, a.y), 0);
    b.grads.forEach((g, i) => assert.ok(relDiff(g, a.grads[i]) < 1e-5, JSON.stringify(config)));
    const viaBias = b.kernels.some(k => k.includes('Bias'));
    assert.equal(viaBias, false, `${JSON.stringify(config)}: ${b.kernels.join(' ')}`);
    tf.dispose([a.y, b.y, ...a.grads, ...b.grads]);
  }
  x.dispose();
});

test('dilated convolutions (no weight gradients in tfjs) run the original forward', () => {
  const layer = tf.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, name: 'dilated' });
  const x = tf.randomNormal([1, 9, 9, 1], 0, 1, 'float32', 7);
  const y = layer.apply(x, { training: true }) as Tensor;
  uninstallNativeGradients(tf);
  const reference = layer.apply(x, { training: true }) as Tensor;
  installNativeGradients(tf);
  assert.equal(relDiff(y, reference), 0);
  layer.weights.forEach(v => v.dispose());
  tf.dispose([x, y, reference]);
});

test('second order through the bias kernels matches tfjs', () => {
  const b = tf.tensor1d([0.5, -1, 2]);
  const f = (x: Tensor) =>
    tf.grad((v: Tensor) => tf.sum(tf.square(tf.square(kernelsBiasAdd(v, b)))))(x);
  const x = tf.randomNormal([2, 3, 3, 3], 0, 1, 'float32', 8);
  const native = tf.grad(a => tf.sum(f(a)))(x);
  const reference = tf.grad(a =>
    tf.sum(tf.grad((v: Tensor) => tf.sum(tf.square(tf.square(tf.add(v, b)))))(a))
  )(x);
  assert.ok(relDiff(native, reference) < 1e-5);
  tf.dispose([b, x, native, reference]);
});

test('second order through the fused conv-with-bias kernel matches tfjs', () => {
  const x = tf.randomNormal([2, 5, 5, 2], 0, 1, 'float32', 10);
  const w = tf.randomNormal([3, 3, 2, 3], 0, 0.5, 'float32', 11);
  const b = tf.tensor1d([0.1, -0.2, 0.3]);
  const fused = convWithBiasKernel(tf);
  const inner = (f: (v: Tensor) => Tensor) => (a: Tensor) =>
    tf.sum(tf.grad((v: Tensor) => tf.sum(tf.square(f(v))))(a));
  const native = tf.grad(inner(v => fused([v, w, b], { strides: [1, 1], pad: 'same' })))(x);
  const reference = tf.grad(inner(v => tf.add(tf.conv2d(v as never, w as never, 1, 'same'), b)))(x);
  assert.ok(relDiff(native, reference) < 1e-5);
  tf.dispose([x, w, b, native, reference]);
});

test('install / uninstall switch the layer path and the state says so; no tensors leak', async () => {
  assert.equal(nativeGradientState().nativeConv, true);
  assert.equal(nativeGradientState().convWithBias, convWithBiasAvailable(tf));
  assert.equal(convWithBiasAvailable(tf), true, 'the pinned TF build has the fused op');
  uninstallNativeGradients(tf);
  assert.equal(nativeGradientState().nativeConv, false);
  installNativeGradients(tf, { nativeConv: false });
  assert.equal(nativeGradientState().nativeConv, false);
  assert.equal(nativeGradientState().convWithBias, false);
  installNativeGradients(tf);
  const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 9);
  await convStep(true, x).then(r => tf.dispose([r.y, ...r.grads]));
  const before = tf.memory().numTensors;
  await convStep(true, x).then(r => tf.dispose([r.y, ...r.grads]));
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

const kernelsBiasAdd = (v: Tensor, b: Tensor) => biasKernels(tf).biasAdd([v, b]);
