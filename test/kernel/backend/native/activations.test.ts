import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor } from '../../../../kernel/src/backend/tf';
import { gradBoth, relDiff } from './compare';

const cases: [string, (x: Tensor) => Tensor, string, number][] = [
  ['Relu', x => tf.relu(x), 'PretextNativeReluGrad', 0],
  ['Relu6', x => tf.relu6(tf.mul(x, 4)), 'PretextNativeRelu6Grad', 0],
  ['LeakyRelu', x => tf.leakyRelu(x, 0.3), 'PretextNativeLeakyReluGrad', 1e-7],
  ['Sigmoid', x => tf.sigmoid(x), 'PretextNativeSigmoidGrad', 1e-6],
  ['Tanh', x => tf.tanh(x), 'PretextNativeTanhGrad', 1e-6]
];

for (const [name, f, kernel, tolerance] of cases) {
  test(`${name}: native gradient equals tfjs's on random inputs (odd shape, no leaks)`, async () => {
    const x = tf.randomNormal([3, 7, 5, 2], 0, 2, 'float32', 1);
    const before = tf.memory().numTensors;
    const { native, original, nativeKernels } = await gradBoth(f, x);
    assert.ok(nativeKernels.includes(kernel), `${kernel} ran: ${nativeKernels.join(', ')}`);
    assert.deepEqual(native.shape, x.shape);
    assert.equal(native.dtype, 'float32');
    assert.ok(relDiff(native, original) <= tolerance, `rel diff ${relDiff(native, original)}`);
    tf.dispose([native, original]);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });
}

test('Relu at exactly zero: gradient 0, as tfjs (step(0) = 0)', async () => {
  const x = tf.tensor2d([[-1, 0, 2, 0]]);
  const { native, original } = await gradBoth(a => tf.relu(a), x);
  assert.deepEqual(Array.from(native.dataSync()), Array.from(original.dataSync()));
  assert.equal(native.dataSync()[1], 0);
  tf.dispose([x, native, original]);
});

test('second-order gradients through the native kernels match tfjs', async () => {
  const x = tf.tensor1d([1, -1, 2, 0.5]);
  // Relu6 and LeakyRelu: tfjs's own second-order gradients fail (LessEqual / Greater have
  // none), so the next test checks the native ones against the closed form instead.
  const ops: ((a: Tensor) => Tensor)[] = [a => tf.relu(a), a => tf.sigmoid(a), a => tf.tanh(a)];
  for (const op of ops) {
    // d/dx of d/dx of sum(op(x²) * x): every rule of the native kernels' own gradients is used.
    const { native, original } = await gradBoth(
      a => tf.grad(b => tf.sum(tf.mul(op(tf.mul(b, b)), b)))(a),
      x
    );
    assert.ok(relDiff(native, original) < 1e-5, `${op.toString()}: ${relDiff(native, original)}`);
    tf.dispose([native, original]);
  }
  x.dispose();
});

test('second-order Relu6 and LeakyRelu gradients: the closed form 6x where x² is on the slope-1 part', () => {
  const x = tf.tensor1d([1, -1, 2, 0.5]);
  for (const op of [(a: Tensor) => tf.relu6(a), (a: Tensor) => tf.leakyRelu(a, 0.2)]) {
    // g(x) = d/dx [op(x²) x] = op'(x²) 2x² + op(x²); op'' = 0, op' = 1 on (0, 6): g' = 6x.
    const gg = tf.grad(a => tf.grad(b => tf.sum(tf.mul(op(tf.mul(b, b)), b)))(a))(x);
    assert.deepEqual(Array.from(gg.dataSync()), [6, -6, 12, 3]);
    gg.dispose();
  }
  x.dispose();
});
