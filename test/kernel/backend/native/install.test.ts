import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { tf, type Scalar, type Tensor } from '../../../../kernel/src/backend/tf';
import {
  installNativeGradients,
  nativeGradientState,
  nativeGradientsWanted,
  originalGradient,
  uninstallNativeGradients
} from '../../../../kernel/src/backend/native/install';
import { convEncoder } from '../../../../kernel/src/models/conv-encoder';
import { resnetEncoder } from '../../../../kernel/src/models/resnet-encoder';
import { modelVariables } from '../../../../kernel/src/models/variables';
import { relDiff } from './compare';

const ROOT = resolve(__dirname, '../../../..');

test('the library installs the layer when it loads', () => {
  if (!nativeGradientsWanted()) {
    return;
  } // the suite itself runs with PRETEXT_NATIVE_GRADIENTS=0
  const { kernels, onednnPooling } = nativeGradientState();
  for (const k of ['Relu', 'Relu6', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Mean', 'Sum', 'MaxPool']) {
    assert.ok(kernels.includes(k), k);
  }
  assert.equal(onednnPooling, true);
  assert.notEqual(tf.getGradient('Relu'), originalGradient(tf, 'Relu'));
});

test('PRETEXT_NATIVE_GRADIENTS=0 (or off/false) turns it off', () => {
  assert.equal(nativeGradientsWanted({}), true);
  assert.equal(nativeGradientsWanted({ PRETEXT_NATIVE_GRADIENTS: '1' }), true);
  for (const v of ['0', 'off', 'false', ' FALSE ']) {
    assert.equal(nativeGradientsWanted({ PRETEXT_NATIVE_GRADIENTS: v }), false, v);
  }
  const script = [
    "const { tf } = require('./kernel/src/backend/tf');",
    "const { nativeGradientState } = require('./kernel/src/backend/native/install');",
    "const relu = tf.getGradient('Relu').gradFunc.toString().includes('step');",
    'console.log(JSON.stringify({ n: nativeGradientState().kernels.length, relu }));'
  ].join('\n');
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, PRETEXT_NATIVE_GRADIENTS: '0', TF_CPP_MIN_LOG_LEVEL: '2' }
  });
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { n: number; relu: boolean };
  assert.deepEqual(out, { n: 0, relu: true }, "tfjs's own dy * step(x)");
});

test('uninstall restores tfjs gradients and kernels exactly; install again is idempotent', () => {
  const maxPoolKernel = tf.getKernel('MaxPool', 'tensorflow');
  uninstallNativeGradients(tf);
  assert.equal(tf.getGradient('Relu'), originalGradient(tf, 'Relu'));
  assert.equal(tf.getGradient('MaxPool'), originalGradient(tf, 'MaxPool'));
  assert.notEqual(tf.getKernel('MaxPool', 'tensorflow'), maxPoolKernel);
  assert.deepEqual(nativeGradientState().kernels, []);
  installNativeGradients(tf);
  const first = nativeGradientState();
  installNativeGradients(tf);
  assert.deepEqual(nativeGradientState(), first);
  assert.equal(originalGradient(tf, 'Relu')!.kernelName, 'Relu');
  assert.notEqual(tf.getGradient('Relu'), originalGradient(tf, 'Relu'));
});

const encoders = {
  conv: (batchNorm: boolean) =>
    convEncoder({ inputShape: [12, 12, 1], filters: [4, 8, 8], batchNorm, seed: 3 }),
  resnet: (batchNorm: boolean) =>
    resnetEncoder({ inputShape: [12, 12, 1], widths: [4, 8], batchNorm, seed: 3 })
};

for (const [kind, batchNorm] of [
  ['conv', false],
  ['conv', true],
  ['resnet', false],
  ['resnet', true]
] as const) {
  test(`${kind} encoder${batchNorm ? ' with batch norm' : ''}: every weight's gradient as with tfjs's gradients, tensor count flat`, () => {
    const encoder = encoders[kind](batchNorm);
    const variables = modelVariables(encoder).filter(v => v.trainable);
    const x = tf.randomNormal([6, 12, 12, 1], 0, 1, 'float32', 9);
    const loss = () =>
      tf.tidy(() => {
        const y = encoder.apply(x, { training: true }) as Tensor;
        return tf.sum(tf.square(tf.sub(y, 0.5))) as Scalar;
      });
    const gradsOf = () => tf.variableGrads(loss, variables);
    uninstallNativeGradients(tf);
    const original = gradsOf();
    installNativeGradients(tf);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      const native = gradsOf();
      assert.ok(Math.abs(native.value.dataSync()[0] - original.value.dataSync()[0]) < 1e-3);
      for (const name of Object.keys(original.grads)) {
        const d = relDiff(native.grads[name], original.grads[name]);
        assert.ok(d < 1e-4, `${name}: rel diff ${d}`);
      }
      tf.dispose([native.value, ...Object.values(native.grads)]);
      assert.equal(tf.memory().numTensors, before);
    }
    tf.dispose([x, original.value, ...Object.values(original.grads)]);
    encoder.dispose();
  });
}
