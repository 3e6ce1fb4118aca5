import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Variable } from '../../../../kernel/src/backend/tf';
import { nativeAdamAvailable, NativeAdamSlots } from '../../../../kernel/src/backend/native/adam';
import {
  installNativeGradients,
  nativeGradientState,
  uninstallNativeGradients
} from '../../../../kernel/src/backend/native/install';
import { createOptimizer } from '../../../../kernel/src/train/optimizers';
import { relDiff } from './compare';

const available = nativeAdamAvailable(tf);

function variables(prefix: string, seed: number): Variable[] {
  return [
    tf.variable(tf.randomNormal([5, 7], 0, 1, 'float32', seed), true, `${prefix}-kernel`),
    tf.variable(tf.randomNormal([7], 0, 1, 'float32', seed + 1), true, `${prefix}-bias`),
    tf.variable(tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', seed + 2), true, `${prefix}-conv`)
  ];
}

/** Gradients that change sign and scale from step to step, some tiny (epsilon matters there). */
function gradients(vars: Variable[], step: number): Record<string, Tensor> {
  return Object.fromEntries(
    vars.map((v, i) => [
      v.name,
      tf.tidy(() =>
        tf.mul(tf.randomNormal(v.shape, 0, 1, 'float32', 100 * step + i), i === 1 ? 1e-6 : step + 1)
      )
    ])
  );
}

/** The same gradients, keyed by another set of variables' names. */
const renamed = (g: Record<string, Tensor>, from: Variable[], to: Variable[]) =>
  Object.fromEntries(from.map((v, i) => [to[i].name, g[v.name]]));

test('the native Adam is available on the tensorflow backend and the env turns it off', () => {
  assert.equal(available, true);
  assert.equal(nativeAdamAvailable(tf, { PRETEXT_NATIVE_ADAM: '0' }), false);
  assert.equal(nativeAdamAvailable(tf, { PRETEXT_NATIVE_GRADIENTS: 'off' }), false);
  // The engine's optimisers follow the native layer's state.
  assert.equal(nativeGradientState().nativeAdam, true);
  const on = createOptimizer('adam', 0.01, 0);
  uninstallNativeGradients(tf);
  assert.equal(nativeGradientState().nativeAdam, false);
  const off = createOptimizer('adam', 0.01, 0);
  installNativeGradients(tf);
  assert.equal(on.nativeAdam, true);
  assert.equal(off.nativeAdam, false);
  const sgd = createOptimizer('sgd', 0.01, 0.9);
  assert.equal(sgd.nativeAdam, false);
  [on, off, sgd].forEach(o => o.dispose());
});

test('TF fused Adam matches tfjs-op Adam over steps, a rate change and weight decay', () => {
  const native = variables('na', 1);
  const lean = variables('la', 1);
  const fused = createOptimizer('adam', 0.01, 0, { nativeAdam: true });
  const ops = createOptimizer('adam', 0.01, 0, { nativeAdam: false });
  assert.equal(fused.nativeAdam, true);
  assert.equal(ops.nativeAdam, false);
  let afterFirst = 0;
  for (let step = 0; step < 8; step++) {
    if (step === 5) {
      fused.setLearningRate(0.003);
      ops.setLearningRate(0.003);
    }
    if (step === 3) {
      // Something else assigns the variables between steps: the resource must follow.
      for (const set of [native, lean]) {
        tf.tidy(() => set.forEach(v => v.assign(tf.mul(v, 0.9))));
      }
    }
    const g = gradients(native, step);
    fused.apply(native, g);
    ops.apply(lean, renamed(g, native, lean));
    tf.dispose(Object.values(g));
    if (step === 0) {
      afterFirst = tf.memory().numTensors;
    }
  }
  // Flat after the first step (which makes the moments and caches the constants).
  assert.equal(tf.memory().numTensors, afterFirst + 2, 'flat, but for each one new rate');
  native.forEach((v, i) => {
    const diff = relDiff(v, lean[i]);
    assert.ok(diff < 1e-5, `${v.name}: relative difference ${diff}`);
  });
  fused.dispose();
  ops.dispose();
  tf.dispose([...native, ...lean]);
});

test('the tensor a variable held before a step is never changed by the step', () => {
  const [v] = variables('alias', 3);
  const optimizer = createOptimizer('adam', 0.1, 0, { nativeAdam: true });
  const g = { [v.name]: tf.onesLike(v) };
  optimizer.apply([v], g);
  const held = tf.clone(v); // shares the data the resource was read into
  const copy = held.dataSync().slice();
  optimizer.apply([v], g);
  assert.deepEqual(held.dataSync(), copy);
  assert.notDeepEqual(v.dataSync(), copy);
  optimizer.dispose();
  tf.dispose([v, held, g[v.name]]);
});

test('moments save in tfjs layout and a restored optimiser continues bit for bit', async () => {
  const a = variables('ra', 5);
  const b = variables('rb', 5);
  const first = createOptimizer('adam', 0.01, 0, { nativeAdam: true });
  for (let step = 0; step < 3; step++) {
    const g = gradients(a, step);
    first.apply(a, g);
    tf.dispose(Object.values(g));
  }
  const saved = await first.weights();
  assert.deepEqual(
    saved.map(w => w.name),
    [
      'iter',
      ...a.map(v => `${v.name}/m`),
      ...a.map(v => `${v.name}/v`),
      'engine/adam/accBeta1',
      'engine/adam/accBeta2'
    ]
  );
  // The snapshot into a fresh optimiser for b, whose variables have other names (as a
  // resumed run's may): slots follow the update list's order, as tfjs's do.
  const snapshot = saved.map(w => ({ name: w.name, tensor: tf.clone(w.tensor) }));
  saved.filter(w => w.owned).forEach(w => w.tensor.dispose());
  b.forEach((v, i) => v.assign(a[i]));
  const second = createOptimizer('adam', 0.01, 0, { nativeAdam: true });
  await second.setWeights(snapshot);
  tf.dispose(snapshot.map(s => s.tensor));
  for (let step = 3; step < 6; step++) {
    const g = gradients(a, step);
    first.apply(a, g);
    second.apply(b, renamed(g, a, b));
    tf.dispose(Object.values(g));
  }
  a.forEach((v, i) => assert.deepEqual(b[i].dataSync(), v.dataSync(), v.name));
  const before = tf.memory().numTensors;
  first.dispose();
  second.dispose();
  assert.ok(tf.memory().numTensors < before, 'the optimisers free their scalars');
  tf.dispose([...a, ...b]);
});

test('slots free their resources on dispose and refuse use after it', () => {
  const slots = new NativeAdamSlots(tf);
  const [v] = variables('gone', 7);
  slots.ensure(0, v);
  assert.deepEqual(slots.names, [v.name]);
  // Slots are made in update-list order; a gap means the caller lost track of it.
  assert.throws(() => slots.ensure(2, v), /slot 2 before slot 1/);
  slots.dispose();
  slots.dispose(); // twice is harmless
  assert.deepEqual(slots.names, []);
  assert.throws(() => slots.ensure(0, v), /after dispose/);
  v.dispose();
});
