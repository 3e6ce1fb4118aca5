import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Variable } from '../../../../kernel/src/backend/tf';
import {
  installNativeGradients,
  nativeGradientState,
  uninstallNativeGradients
} from '../../../../kernel/src/backend/native/install';
import {
  cachedShapeHandles,
  MATMUL_2D_MAX_MACS,
  nativeMatMulAvailable,
  nativeMatMulWanted,
  plain2D
} from '../../../../kernel/src/backend/native/matmul';
import { SHAPE_CACHE_LIMIT } from '../../../../kernel/src/backend/native/raw-ops';
import { opsRun } from './binding-spy';
import { valueInChild } from './child';
import { relDiff } from './compare';

const TOLERANCE = 1e-5;

/** Runs `f` with the layer off (tfjs-node's kernels) or on, then puts the state back. */
function withLayer<T>(on: boolean, f: () => T): T {
  const wasInstalled = nativeGradientState().kernels.length > 0;
  if (on) {
    installNativeGradients(tf, { nativeMatMul: true });
  } else {
    uninstallNativeGradients(tf);
  }
  try {
    return f();
  } finally {
    if (wasInstalled) {
      installNativeGradients(tf);
    } else {
      uninstallNativeGradients(tf);
    }
  }
}

/** `f` with the layer off and on; values must agree and the fast path must run `MatMul`. */
function compare(label: string, f: () => Tensor, fast: boolean) {
  const original = withLayer(false, f);
  let kept: Tensor | undefined;
  const { ops, leakedHandles } = withLayer(true, () => opsRun(() => (kept = f())));
  kept = kept!;
  assert.deepEqual(kept.shape, original.shape, label);
  assert.equal(kept.dtype, original.dtype, label);
  assert.ok(relDiff(kept, original) <= TOLERANCE, `${label}: ${relDiff(kept, original)}`);
  assert.equal(ops.includes('MatMul'), fast, `${label}: ${ops.join()}`);
  assert.equal(ops.includes('BatchMatMulV2'), !fast, `${label}: ${ops.join()}`);
  // Only the result's own handle may outlive the call.
  assert.equal(leakedHandles, 1, `${label}: ${ops.join()}`);
  tf.dispose([kept, original]);
}

const transposes: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true]
];

/** [rows, cols] of an operand stored transposed or not, with `lead` unit batch dims. */
const operand = (rows: number, cols: number, transposed: boolean, lead: number[], seed: number) =>
  tf.randomNormal([...lead, ...(transposed ? [cols, rows] : [rows, cols])], 0, 1, 'float32', seed);

test('the fast path is on by default and reported', () => {
  assert.equal(nativeMatMulAvailable(tf), true);
  assert.equal(nativeMatMulWanted({}), true);
  for (const v of ['0', 'off', 'false', ' NO ']) {
    assert.equal(nativeMatMulWanted({ PRETEXT_NATIVE_MATMUL: v }), false, v);
  }
  withLayer(true, () => {
    assert.equal(nativeGradientState().nativeMatMul, true);
    for (const k of ['BatchMatMul', '_FusedMatMul']) {
      assert.ok(nativeGradientState().forwardKernels.includes(k), k);
    }
  });
  withLayer(true, () => {
    installNativeGradients(tf, { nativeMatMul: false });
    assert.equal(nativeGradientState().nativeMatMul, false);
    assert.ok(!nativeGradientState().forwardKernels.includes('BatchMatMul'));
  });
});

test('the library loads with it on; PRETEXT_NATIVE_MATMUL=0 loads without it', () => {
  const script = [
    "require('./kernel/src/backend/tf');",
    "const { nativeGradientState } = require('./kernel/src/backend/native/install');",
    'const { nativeMatMul, forwardKernels } = nativeGradientState();',
    "console.log(JSON.stringify([nativeMatMul, forwardKernels.includes('BatchMatMul')]));"
  ].join('\n');
  for (const [value, expected] of [
    ['1', [true, true]],
    ['0', [false, false]]
  ] as const) {
    const out = valueInChild(script, { PRETEXT_NATIVE_MATMUL: value });
    assert.deepEqual(out, expected, `PRETEXT_NATIVE_MATMUL=${value}`);
  }
});

test('matMul: every transpose, 2-D and unit-batch inputs, equal to BatchMatMulV2', () => {
  const leads: [number[], number[]][] = [
    [[], []],
    [[1], [1]],
    [[1], []],
    [[], [1]],
    [[1, 1], [1]]
  ];
  for (const [tA, tB] of transposes) {
    for (const [leadA, leadB] of leads) {
      const a = operand(37, 19, tA, leadA, 1);
      const b = operand(19, 23, tB, leadB, 2);
      const label = `${a.shape} x ${b.shape} tA=${tA} tB=${tB}`;
      compare(label, () => tf.matMul(a, b, tA, tB), true);
      tf.dispose([a, b]);
    }
  }
});

test('matMul: a real batch, broadcast batches and int32 take tfjs-node kernel, still right', () => {
  const cases: [number[], number[], 'float32' | 'int32'][] = [
    [[2, 5, 4], [2, 4, 3], 'float32'],
    [[1, 5, 4], [3, 4, 3], 'float32'],
    [[3, 5, 4], [4, 3], 'float32'],
    [[5, 4], [4, 3], 'int32'],
    [[1, 5, 4], [1, 4, 3], 'int32']
  ];
  for (const [shapeA, shapeB, dtype] of cases) {
    const a = tf.cast(tf.mul(tf.randomNormal(shapeA, 0, 1, 'float32', 3), 4), dtype);
    const b = tf.cast(tf.mul(tf.randomNormal(shapeB, 0, 1, 'float32', 4), 4), dtype);
    compare(`${shapeA} x ${shapeB} ${dtype}`, () => tf.matMul(a, b), false);
    tf.dispose([a, b]);
  }
});

test('matMul above the size bound keeps BatchMatMulV2', () => {
  const [m, k, n] = [512, 256, 512];
  assert.ok(m * k * n > MATMUL_2D_MAX_MACS);
  const a = tf.randomNormal([m, k], 0, 1, 'float32', 5);
  const b = tf.randomNormal([k, n], 0, 1, 'float32', 6);
  assert.equal(plain2D(a, b, false, false), undefined);
  compare('large', () => tf.matMul(a, b), false);
  tf.dispose([a, b]);
});

test('mismatched inner sizes still fail with tfjs-node error', () => {
  const a = tf.ones([1, 3, 4]);
  const b = tf.ones([5, 2]);
  assert.equal(plain2D(a, b, false, false), undefined);
  withLayer(true, () => assert.throws(() => tf.matMul(a, b)));
  tf.dispose([a, b]);
});

test('fused.matMul (bias, relu, linear, no bias) equals the original in inference', () => {
  const bias = tf.randomNormal([23], 0, 1, 'float32', 7);
  for (const [tA, tB] of transposes) {
    const a = operand(37, 19, tA, [], 8);
    const b = operand(19, 23, tB, [], 9);
    for (const activation of ['relu', 'linear'] as const) {
      for (const withBias of [true, false]) {
        compare(
          `fused ${activation} bias=${withBias} tA=${tA} tB=${tB}`,
          () =>
            tf.fused.matMul({
              a,
              b,
              transposeA: tA,
              transposeB: tB,
              bias: withBias ? bias : undefined,
              activation
            }),
          true
        );
      }
    }
    tf.dispose([a, b]);
  }
  // An activation the override leaves to tfjs-node: the matMul inside is still the fast one.
  const a = operand(37, 19, false, [], 10);
  const b = operand(19, 23, false, [], 11);
  compare('fused elu', () => tf.fused.matMul({ a, b, bias, activation: 'elu' }), true);
  tf.dispose([a, b, bias]);
});

/** Gradients of sum(f(a, b, bias) * w) with respect to all three inputs. */
function grads(f: (a: Tensor, b: Tensor, bias: Tensor) => Tensor, shapes: number[][]) {
  const [a, b, bias] = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 20 + i));
  const w = tf.tidy(() => tf.randomNormal(f(a, b, bias).shape, 0, 1, 'float32', 30));
  const g = tf.grads((x: Tensor, y: Tensor, z: Tensor) => tf.sum(tf.mul(f(x, y, z), w)));
  const run = () => g([a, b, bias]);
  const original = withLayer(false, run);
  const native = withLayer(true, run);
  original.forEach((o, i) => {
    assert.ok(relDiff(native[i], o) <= TOLERANCE, `input ${i}: ${relDiff(native[i], o)}`);
  });
  tf.dispose([a, b, bias, w, ...original, ...native]);
}

test('gradients of matMul and fused.matMul (bias + relu, bias + linear) equal the original', () => {
  for (const [tA, tB] of transposes) {
    const sa = tA ? [19, 37] : [37, 19];
    const sb = tB ? [23, 19] : [19, 23];
    grads((a, b, bias) => tf.add(tf.matMul(a, b, tA, tB), bias), [sa, sb, [23]]);
    for (const activation of ['relu', 'linear'] as const) {
      grads(
        (a, b, bias) => tf.fused.matMul({ a, b, transposeA: tA, transposeB: tB, bias, activation }),
        [sa, sb, [23]]
      );
    }
  }
  // Unit-batch rank-3 operands, as tfjs's fused matMul gradient hands them to matMul.
  grads((a, b, bias) => tf.add(tf.matMul(a, b), bias), [[1, 37, 19], [1, 19, 23], [23]]);
});

test('a Dense layer trains the same through the fast path', () => {
  const x = tf.randomNormal([64, 40], 0, 1, 'float32', 40);
  const run = () => {
    const dense = tf.layers.dense({
      units: 32,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 41 })
    });
    const head = tf.layers.dense({
      units: 8,
      kernelInitializer: tf.initializers.glorotUniform({ seed: 42 })
    });
    const y = tf.tidy(() => head.apply(dense.apply(x)) as Tensor);
    const vars = [...dense.trainableWeights, ...head.trainableWeights].map(
      v => v.read() as Variable
    );
    const { grads: g } = tf.variableGrads(
      () => tf.sum(tf.square(head.apply(dense.apply(x)) as Tensor)),
      vars
    );
    const out = [y, ...vars.map(v => g[v.name])];
    dense.dispose();
    head.dispose();
    return out;
  };
  const original = withLayer(false, run);
  let native: Tensor[] = [];
  const { ops } = withLayer(true, () => opsRun(() => (native = run())));
  // Forward and backward, every product of both layers is one 2-D MatMul.
  assert.ok(ops.includes('MatMul') && !ops.includes('BatchMatMulV2'), ops.join());
  assert.equal(native.length, 5);
  original.forEach((o, i) => {
    assert.deepEqual(native[i].shape, o.shape);
    assert.ok(relDiff(native[i], o) <= TOLERANCE, `output ${i}: ${relDiff(native[i], o)}`);
  });
  tf.dispose([x, ...original, ...native]);
});

test('repeated calls leak no tensors and no raw handles; shape handles stay bounded', () => {
  withLayer(true, () => {
    const a = tf.randomNormal([1, 16, 8], 0, 1, 'float32', 50);
    const b = tf.randomNormal([8, 12], 0, 1, 'float32', 51);
    const bias = tf.randomNormal([12], 0, 1, 'float32', 52);
    const step = () =>
      tf.tidy(() => {
        const { value, grads: g } = tf.valueAndGrads((x: Tensor, y: Tensor, z: Tensor) =>
          tf.sum(tf.fused.matMul({ a: x, b: y, bias: z, activation: 'linear' }))
        )([a, b, bias]);
        return [value, ...g, tf.matMul(a, b, false, false), tf.matMul(b, a, true, true)];
      });
    tf.dispose(step());
    const before = tf.memory().numTensors;
    const { leakedHandles, ops } = opsRun(() => {
      for (let i = 0; i < 20; i++) {
        tf.dispose(step());
      }
    });
    assert.equal(tf.memory().numTensors, before);
    assert.equal(leakedHandles, 0);
    assert.ok(ops.includes('MatMul'));
    // Many distinct output shapes: the cache of shape handles never grows past its bound.
    for (let rows = 1; rows <= SHAPE_CACHE_LIMIT + 20; rows++) {
      tf.tidy(() => tf.matMul(tf.ones([1, rows, 2]), tf.ones([2, 3])).dataSync());
    }
    const cached = cachedShapeHandles();
    assert.ok(cached > 0 && cached <= SHAPE_CACHE_LIMIT, `${cached}`);
    tf.dispose([a, b, bias]);
  });
  withLayer(false, () => assert.equal(cachedShapeHandles(), 0));
});

test('uninstall restores the original kernels', () => {
  const original = withLayer(false, () => [
    tf.getKernel('BatchMatMul', 'tensorflow'),
    tf.getKernel('_FusedMatMul', 'tensorflow')
  ]);
  withLayer(true, () => {
    assert.notEqual(tf.getKernel('BatchMatMul', 'tensorflow'), original[0]);
    assert.notEqual(tf.getKernel('_FusedMatMul', 'tensorflow'), original[1]);
    uninstallNativeGradients(tf);
    assert.equal(tf.getKernel('BatchMatMul', 'tensorflow'), original[0]);
    assert.equal(tf.getKernel('_FusedMatMul', 'tensorflow'), original[1]);
    const a = tf.ones([1, 4, 3]);
    const { ops } = opsRun(() => tf.dispose(tf.matMul(a, tf.ones([3, 2]))));
    assert.ok(ops.includes('BatchMatMulV2') && !ops.includes('MatMul'), ops.join());
    a.dispose();
  });
});
