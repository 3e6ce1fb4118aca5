import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor } from '../../../kernel/src/backend/tf';
import { conv1dEncoder } from '../../../kernel/src/models/conv1d-encoder';
import { embed } from '../../../kernel/src/features/embed';

test('windows [steps, channels] become one feature vector: avg and max pooled by default', () => {
  const encoder = conv1dEncoder({ inputShape: [32, 3], seed: 0 });
  assert.deepEqual(encoder.outputs[0].shape, [null, 128]);
  const x = tf.randomNormal([5, 32, 3], 0, 1, 'float32', 1);
  const y = embed(encoder, x);
  assert.deepEqual(y.shape, [5, 128]);
  assert.ok(y.dataSync().every(Number.isFinite));
  const avg = conv1dEncoder({ inputShape: [32, 3], pooling: 'avg', filters: [8, 16] });
  assert.deepEqual(avg.outputs[0].shape, [null, 16]);
  const emb = conv1dEncoder({ inputShape: [32, 3], embeddingDim: 10 });
  assert.deepEqual(emb.outputs[0].shape, [null, 10]);
  tf.dispose([x, y]);
  [encoder, avg, emb].forEach(m => m.dispose());
});

test('stride 2 after the first stage: the last stage has steps/4 outputs and a bounded reach', () => {
  const encoder = conv1dEncoder({
    inputShape: [64, 1],
    filters: [4, 4, 4],
    pooling: 'max',
    seed: 3
  });
  // Perturb step 0 and look at which outputs of the last conv change.
  const features = tf.model({
    inputs: encoder.inputs,
    outputs: encoder.getLayer('conv1d_encoder_conv3').output
  });
  const base = tf.randomNormal([1, 64, 1], 0, 1, 'float32', 2);
  const bumped = tf.add(base, tf.oneHot([0], 64).reshape([1, 64, 1]).mul(5));
  const diff = tf.tidy(() =>
    tf.sum(tf.abs(tf.sub(features.predict(bumped) as Tensor, features.predict(base) as Tensor)), -1)
  );
  const d = Array.from(diff.dataSync());
  assert.equal(d.length, 16);
  // Output j sits at input step ~4j and sees +-14 steps (kernel 5 at strides 1, 2, 4).
  const reach = d.reduce((last, v, t) => (v > 1e-6 ? t : last), -1);
  assert.ok(reach >= 1 && reach <= 4, `step 0 influences outputs up to ${reach}`);
  tf.dispose([base, bumped, diff]);
  encoder.dispose();
});

test('the same seed gives the same weights', () => {
  const a = conv1dEncoder({ inputShape: [16, 2], seed: 5 });
  const b = conv1dEncoder({ inputShape: [16, 2], seed: 5 });
  assert.deepEqual(a.weights[0].read().dataSync(), b.weights[0].read().dataSync());
  a.dispose();
  b.dispose();
});

test('bad options get named errors', () => {
  assert.throws(() => conv1dEncoder({ inputShape: [28, 28, 1] } as never), /\[steps, channels\]/);
  assert.throws(() => conv1dEncoder({ inputShape: [64, 3], filters: [] }), /filters must be/);
  assert.throws(() => conv1dEncoder({ inputShape: [64, 3], kernelSize: 0 }), /kernelSize/);
  assert.throws(() => conv1dEncoder({ inputShape: [64, 3], pooling: 'sum' as never }), /pooling/);
  assert.throws(
    () => conv1dEncoder({ inputShape: [4, 3], filters: [2, 2, 2, 2, 2] }),
    /halve 4 steps below one/
  );
  assert.throws(() => conv1dEncoder({ inputShape: [64, 3], name: '1x' }), /name must start/);
  assert.throws(
    () => conv1dEncoder({ inputShape: [64, 3], dilation: 2 } as never),
    /Unknown option/
  );
  assert.throws(() => conv1dEncoder(undefined as never), /needs an options object/);
});
