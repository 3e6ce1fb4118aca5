import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  tf,
  type LayersModel,
  type Scalar,
  type Tensor,
  type Variable
} from '../../../../kernel/src/backend/tf';
import {
  installNativeGradients,
  nativeGradientState,
  uninstallNativeGradients
} from '../../../../kernel/src/backend/native/install';
import {
  denseKernels,
  denseProduct,
  densePrototype,
  nativeDenseWanted
} from '../../../../kernel/src/backend/native/dense';
import { cachedShapeHandles } from '../../../../kernel/src/backend/native/raw-ops';
import { mlpEncoder } from '../../../../kernel/src/models/mlp-encoder';
import { transformerEncoder } from '../../../../kernel/src/models/transformer-encoder';
import { opsRun } from './binding-spy';
import { valueInChild } from './child';
import { maxDiff, relDiff } from './compare';

const TOLERANCE = 1e-5;
type tfTypes2D = import('../../../../kernel/src/backend/tf').Tensor2D;
type tfTypes1D = import('../../../../kernel/src/backend/tf').Tensor1D;

const install = (on: boolean) =>
  on ? installNativeGradients(tf, { nativeDense: true }) : uninstallNativeGradients(tf);

/** Runs `f` with the whole layer off (tfjs's own path) or on, then puts the default back. */
function withLayer<T>(on: boolean, f: () => T): T {
  install(on);
  try {
    return f();
  } finally {
    installNativeGradients(tf);
  }
}

/** `withLayer` for a function that awaits (the default comes back once it has settled). */
async function withLayerAsync<T>(on: boolean, f: () => Promise<T>): Promise<T> {
  install(on);
  try {
    return await f();
  } finally {
    installNativeGradients(tf);
  }
}

async function kernelsOf(f: () => Tensor | Tensor[]): Promise<{ out: Tensor[]; names: string[] }> {
  let out: Tensor[] = [];
  const profile = await tf.profile(() => {
    const r = f();
    out = Array.isArray(r) ? r : [r];
    return out;
  });
  return { out, names: profile.kernelNames };
}

let layerCount = 0;
type DenseArgs = Parameters<typeof tf.layers.dense>[0];

/** A Dense layer with seeded weights (and a non-zero bias, so the bias matters). */
const dense = (args: Partial<DenseArgs> & { units: number }, seed: number) =>
  tf.layers.dense({
    name: `dense_under_test_${++layerCount}`,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    biasInitializer: tf.initializers.randomNormal({ seed: seed + 1 }),
    ...args
  });

/** One forward of a fresh layer built the same way with the layer on or off. */
async function forward(on: boolean, x: Tensor, args: Partial<DenseArgs> & { units: number }) {
  return withLayerAsync(on, async () => {
    const layer = dense(args, 3);
    const { out, names } = await kernelsOf(() => layer.apply(x) as Tensor);
    layer.dispose();
    return { y: out[0], names };
  });
}

test('forward equals the original call: ranks 2-4, with and without bias, activations', async () => {
  const activations = ['linear', 'relu', 'gelu', 'elu', 'sigmoid', 'tanh', 'softmax', 'relu6'];
  for (const shape of [
    [7, 5],
    [3, 4, 5],
    [2, 3, 2, 5]
  ]) {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
    for (const activation of activations) {
      for (const useBias of [true, false]) {
        const args = { units: 6, activation, useBias } as DenseArgs;
        const what = `${shape} ${activation} bias=${useBias}`;
        const a = await forward(false, x, args);
        const b = await forward(true, x, args);
        assert.deepEqual(b.y.shape, a.y.shape, what);
        assert.ok(relDiff(b.y, a.y) <= 1e-6, `${what}: ${relDiff(b.y, a.y)}`);
        const kernel = useBias ? 'PretextNativeDenseBias' : 'PretextNativeDense';
        assert.ok(b.names.includes(kernel), `${what}: ${b.names.join(' ')}`);
        assert.ok(!b.names.some(k => k.includes('MatMul')), `${what}: ${b.names.join(' ')}`);
        tf.dispose([a.y, b.y]);
      }
    }
    x.dispose();
  }
});

interface StackRun {
  value: Tensor;
  /** d/d(input) (when asked), then the four weights in layer order (kernel, bias, kernel, bias). */
  grads: Tensor[];
  names: string[];
  ops: string[];
  leakedHandles: number;
}

/** Dense(relu) -> Dense(linear): loss, gradients, kernels run, TF ops run. */
async function stackStep(on: boolean, x: Tensor, inputGradient: boolean): Promise<StackRun> {
  return withLayerAsync(on, async () => {
    const first = dense({ units: 9, activation: 'relu' }, 10);
    const second = dense({ units: 4 }, 20);
    const y = tf.tidy(() => second.apply(first.apply(x)) as Tensor);
    const w = tf.randomNormal(y.shape, 0, 1, 'float32', 30);
    y.dispose();
    const params = [...first.trainableWeights, ...second.trainableWeights].map(
      v => v.read() as Variable
    );
    const loss = (a: Tensor): Scalar => tf.sum(tf.mul(second.apply(first.apply(a)) as Tensor, w));
    let result: Tensor[] = [];
    let spied = { ops: [] as string[], leakedHandles: 0 };
    const profile = await tf.profile(() => {
      spied = opsRun(() => {
        const { value, grads } = tf.variableGrads(() => loss(x), params);
        const dx = inputGradient ? [tf.grad(loss)(x)] : [];
        result = [value, ...dx, ...params.map(p => grads[p.name])];
      });
      return result;
    });
    w.dispose();
    first.dispose();
    second.dispose();
    const [value, ...grads] = result;
    return { value, grads, names: profile.kernels.map(k => k.name), ...spied };
  });
}

test('Dense(relu) -> Dense gradients w.r.t. input and all weights equal the original', async () => {
  for (const shape of [
    [16, 7],
    [4, 5, 7]
  ]) {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 2);
    const a = await stackStep(false, x, true);
    const b = await stackStep(true, x, true);
    assert.ok(relDiff(b.value, a.value) <= TOLERANCE, `${shape} loss`);
    assert.equal(b.grads.length, 5);
    a.grads.forEach((g, i) => {
      assert.deepEqual(b.grads[i].shape, g.shape, `${shape} gradient ${i}`);
      assert.ok(relDiff(b.grads[i], g) <= TOLERANCE, `${shape} gradient ${i}`);
    });
    assert.ok(b.names.includes('PretextNativeDenseBackpropInput'), b.names.join(' '));
    assert.ok(b.names.includes('PretextNativeBiasAddGrad'), b.names.join(' '));
    assert.ok(!b.ops.includes('BatchMatMulV2'), b.ops.join(' '));
    tf.dispose([x, a.value, b.value, ...a.grads, ...b.grads]);
  }
});

test('weight gradients only: the first layer computes no input gradient', async () => {
  const x = tf.randomNormal([16, 7], 0, 1, 'float32', 3);
  const a = await stackStep(false, x, false);
  const b = await stackStep(true, x, false);
  a.grads.forEach((g, i) => assert.ok(relDiff(b.grads[i], g) <= TOLERANCE, `gradient ${i}`));
  const count = (names: string[], k: string) => names.filter(n => n === k).length;
  // Only the second layer's input (the first layer's output) needs a gradient.
  assert.equal(count(b.names, 'PretextNativeDenseBackpropInput'), 1, b.names.join(' '));
  assert.equal(count(b.names, 'PretextNativeDenseBackpropFilter'), 2, b.names.join(' '));
  // Forward 2 + dX 1 + dW 2 products, each one TF MatMul.
  assert.equal(count(b.ops, 'MatMul'), 5, b.ops.join(' '));
  // tfjs's gradient computes both products for both layers: 2 forward + 4.
  const products = count(a.names, 'BatchMatMul') + count(a.names, '_FusedMatMul');
  assert.equal(products, 6, a.names.join(' '));
  tf.dispose([x, a.value, b.value, ...a.grads, ...b.grads]);
});

test('repeated gradient steps keep the tensor count flat and leave no raw handles', async () => {
  const x = tf.randomNormal([3, 4, 7], 0, 1, 'float32', 4);
  const warm = await stackStep(true, x, true);
  tf.dispose([warm.value, ...warm.grads]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    const r = await stackStep(true, x, true);
    assert.ok(r.ops.includes('Reshape'), 'rank-3 inputs are viewed as 2-D');
    assert.equal(r.leakedHandles, 6, 'only the results (loss, dx, 4 weights) own handles');
    tf.dispose([r.value, ...r.grads]);
    assert.equal(tf.memory().numTensors, before);
  }
  x.dispose();
});

test('second order through the dense kernels matches tfjs', () => {
  const k = denseKernels(tf);
  const x = tf.randomNormal([2, 3, 4], 0, 1, 'float32', 5);
  const w = tf.randomNormal([4, 3], 0, 1, 'float32', 6);
  const b = tf.randomNormal([3], 0, 1, 'float32', 7);
  const reference = (v: Tensor, u: Tensor) => tf.add(tf.matMul(v.reshape([6, 4]), u), b);
  const native = (v: Tensor, u: Tensor) => k.denseBias([v, u, b]).reshape([6, 3]);
  // Gradient of a function of the first-order gradients w.r.t. both x and W.
  const outer = (f: (v: Tensor, u: Tensor) => Tensor) =>
    tf.grads((v: Tensor, u: Tensor) => {
      const [dv, du] = tf.grads((p: Tensor, q: Tensor) => tf.sum(tf.square(tf.sin(f(p, q)))))([
        v,
        u
      ]);
      return tf.add(tf.sum(tf.square(dv)), tf.sum(tf.square(du)));
    })([x, w]);
  const r = outer(reference);
  const n = outer(native);
  r.forEach((g, i) => assert.ok(relDiff(n[i], g) <= TOLERANCE, `input ${i}: ${relDiff(n[i], g)}`));
  tf.dispose([x, w, b, ...r, ...n]);
});

test('regularizers and constraints train the same (fit)', async () => {
  const x = tf.randomNormal([12, 6], 0, 1, 'float32', 8);
  const y = tf.randomNormal([12, 2], 0, 1, 'float32', 9);
  const run = async () => {
    const model = tf.sequential({
      layers: [
        dense(
          {
            units: 5,
            inputShape: [6],
            activation: 'relu',
            kernelRegularizer: tf.regularizers.l2({ l2: 0.1 }),
            biasRegularizer: tf.regularizers.l1({ l1: 0.05 }),
            kernelConstraint: tf.constraints.maxNorm({ maxValue: 0.5 })
          },
          40
        ),
        dense({ units: 2 }, 50)
      ]
    });
    model.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    const losses: number[] = [];
    for (let i = 0; i < 3; i++) {
      losses.push((await model.trainOnBatch(x, y)) as number);
    }
    const weights = model.getWeights().map(v => v.clone());
    model.dispose();
    return { losses, weights };
  };
  const a = await withLayerAsync(false, run);
  const b = await withLayerAsync(true, run);
  a.losses.forEach((l, i) =>
    assert.ok(Math.abs(b.losses[i] - l) <= 1e-5 * Math.abs(l), `${i}: ${a.losses} vs ${b.losses}`)
  );
  a.weights.forEach((w, i) => assert.ok(relDiff(b.weights[i], w) <= TOLERANCE, `weight ${i}`));
  tf.dispose([x, y, ...a.weights, ...b.weights]);
});

test('inputs it does not cover take the original call', async () => {
  const layer = dense({ units: 3 }, 60);
  layer.build([null, 4]);
  const ints = tf.tensor2d([1, 2, 3, 4, 5, 6, 7, 8], [2, 4], 'int32');
  const call = (t: Tensor | Tensor[]) => () => layer.call(t, {}) as Tensor;
  const reference = withLayer(false, call(tf.cast(ints, 'float32')));
  const viaOriginal = await withLayerAsync(true, () => kernelsOf(call(ints)));
  assert.ok(!viaOriginal.names.some(k => k.startsWith('PretextNative')), viaOriginal.names.join());
  assert.ok(relDiff(viaOriginal.out[0], reference) <= 1e-6);
  // Two inputs: the original's own error.
  const pair = [tf.ones([2, 4]), tf.ones([2, 4])];
  const errorOf = () => {
    try {
      layer.call(pair, {});
    } catch (e) {
      return String(e);
    }
    return 'no error';
  };
  const expected = withLayer(false, errorOf);
  assert.notEqual(expected, 'no error');
  assert.equal(
    withLayer(true, () => errorOf()),
    expected
  );
  layer.weights.forEach(v => v.dispose());
  tf.dispose([ints, reference, ...viaOriginal.out, ...pair]);
});

/** Loss and gradients of sum(model(x) * w) over the model's trainable weights. */
function modelStep(on: boolean, build: () => LayersModel, x: Tensor) {
  return withLayerAsync(on, async () => {
    const model = build();
    const y = tf.tidy(() => model.apply(x, { training: true }) as Tensor);
    const w = tf.randomNormal(y.shape, 0, 1, 'float32', 70);
    y.dispose();
    const params = model.trainableWeights.map(v => v.read() as Variable);
    const { out, names } = await kernelsOf(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.apply(x, { training: true }) as Tensor, w)),
        params
      );
      return [value, ...params.map(p => grads[p.name])];
    });
    w.dispose();
    model.dispose();
    return { out, names };
  });
}

test('mlpEncoder and transformerEncoder: training-step loss and gradients equal the original', async () => {
  const cases: [string, () => LayersModel, Tensor][] = [
    [
      'mlp',
      () => mlpEncoder({ inputDim: 10, hidden: [32, 32], outputDim: 8, seed: 1 }),
      tf.randomNormal([16, 10], 0, 1, 'float32', 11)
    ],
    [
      'transformer',
      () => transformerEncoder({ vocabSize: 30, maxLength: 8, dim: 16, heads: 2, seed: 2 }),
      tf.tensor2d([2, 7, 9, 11, 3, 0, 0, 0, 2, 5, 3, 0, 0, 0, 0, 0], [2, 8], 'int32')
    ]
  ];
  for (const [what, build, x] of cases) {
    const { out: a } = await modelStep(false, build, x);
    const { out: b, names } = await modelStep(true, build, x);
    assert.ok(names.includes('PretextNativeDenseBias'), `${what}: ${names.join(' ')}`);
    assert.equal(b.length, a.length, what);
    // Relative to the step's largest gradient: the attention key bias's gradient is zero in
    // exact arithmetic (softmax ignores a shift shared by all keys), so only rounding is left.
    const scale = Math.max(...a.map(t => tf.tidy(() => tf.abs(t).max().dataSync()[0])));
    a.forEach((g, i) => {
      assert.deepEqual(b[i].shape, g.shape, `${what} ${i}`);
      const diff = maxDiff(b[i], g) / scale;
      assert.ok(
        relDiff(b[i], g) <= TOLERANCE || diff <= TOLERANCE * 1e-2,
        `${what} ${i}: ${relDiff(b[i], g)}, ${diff} of the largest`
      );
    });
    tf.dispose([x, ...a, ...b]);
  }
});

test('install / uninstall switch Dense call and the state says so', () => {
  const proto = densePrototype(tf);
  uninstallNativeGradients(tf);
  const original = proto.call;
  assert.equal(nativeGradientState().nativeDense, false);
  installNativeGradients(tf, { nativeDense: true });
  assert.equal(nativeGradientState().nativeDense, true);
  assert.notEqual(proto.call, original);
  const x = tf.ones([2, 3, 4]);
  tf.dispose(denseKernels(tf).dense([x, tf.ones([4, 5])]));
  assert.ok(cachedShapeHandles() > 0, 'rank-3 inputs use cached shape handles');
  installNativeGradients(tf, { nativeDense: false });
  assert.equal(nativeGradientState().nativeDense, false);
  assert.equal(proto.call, original);
  uninstallNativeGradients(tf);
  assert.equal(proto.call, original);
  assert.equal(cachedShapeHandles(), 0, 'uninstall frees them');
  x.dispose();
  installNativeGradients(tf);
  assert.equal(nativeGradientState().nativeDense, true, 'on by default');
});

test('PRETEXT_NATIVE_DENSE=0 loads the library without it', () => {
  assert.equal(nativeDenseWanted({}), true);
  for (const v of ['0', 'off', 'false', ' NO ']) {
    assert.equal(nativeDenseWanted({ PRETEXT_NATIVE_DENSE: v }), false, v);
  }
  const script = [
    "require('./kernel/src/backend/tf');",
    "const { nativeGradientState } = require('./kernel/src/backend/native/install');",
    'console.log(JSON.stringify(nativeGradientState().nativeDense));'
  ].join('\n');
  for (const [value, expected] of [
    ['1', true],
    ['0', false]
  ] as const) {
    const out = valueInChild(script, { PRETEXT_NATIVE_DENSE: value });
    assert.equal(out, expected, `PRETEXT_NATIVE_DENSE=${value}`);
  }
});

test('denseProduct (self-attention projections) runs the native kernels only while installed, same values and gradients', async () => {
  const x = tf.randomNormal([6, 5], 0, 1, 'float32', 31) as tfTypes2D;
  const w = tf.randomNormal([5, 4], 0, 1, 'float32', 32) as tfTypes2D;
  const b = tf.randomNormal([4], 0, 1, 'float32', 33) as tfTypes1D;
  const run = async (on: boolean) =>
    withLayer(on, () => {
      const f = (xx: Tensor, ww: Tensor, bb: Tensor) =>
        tf.sum(tf.square(denseProduct(tf, xx as tfTypes2D, ww as tfTypes2D, bb as tfTypes1D)));
      const value = tf.tidy(() => denseProduct(tf, x, w, b));
      const grads = tf.grads(f)([x, w, b]);
      const noBias = tf.tidy(() => denseProduct(tf, x, w));
      return { value, grads, noBias };
    });
  const kernelsOf = async (on: boolean) =>
    withLayer(on, async () => (await tf.profile(() => denseProduct(tf, x, w, b))).kernelNames);
  const native = await run(true);
  const plain = await run(false);
  assert.ok(relDiff(native.value, plain.value) < TOLERANCE);
  assert.ok(relDiff(native.noBias, plain.noBias) < TOLERANCE);
  native.grads.forEach((g, i) => assert.ok(relDiff(g, plain.grads[i]) < TOLERANCE, `grad ${i}`));
  assert.ok((await kernelsOf(true)).includes('PretextNativeDenseBias'));
  assert.ok(!(await kernelsOf(false)).includes('PretextNativeDenseBias'));
  tf.dispose([
    x,
    w,
    b,
    native.value,
    plain.value,
    native.noBias,
    plain.noBias,
    ...native.grads,
    ...plain.grads
  ]);
});
