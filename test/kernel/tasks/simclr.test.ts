import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Tensor4D } from '../../../kernel/src/backend/tf';
import { gaussianNoise } from '../../../kernel/src/augment/photometric';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { simclr } from '../../../kernel/src/tasks/simclr';
import { PretextError } from '../../../kernel/src/util/errors';
import { shapeImages } from './shapes';

const smallEncoder = (batchNorm = false) =>
  convEncoder({ inputShape: [28, 28, 1], filters: [8, 16], seed: 0, batchNorm });

test('SimCLR: 20 Adam steps on synthetic shapes lower the loss, no NaN, flat tensor count', () => {
  const { images } = shapeImages(64, 28, 1);
  const encoder = smallEncoder();
  const task = simclr({ encoder, seed: 0 });
  const optimizer = tf.train.adam(0.01);
  const variables = task.trainableVariables();
  const losses: number[] = [];
  const counts: number[] = [];
  for (let step = 0; step < 20; step++) {
    const cost = optimizer.minimize(() => task.loss(images, step), true, variables)!;
    losses.push(cost.dataSync()[0]);
    cost.dispose();
    counts.push(tf.memory().numTensors);
  }
  assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const first = mean(losses.slice(0, 3));
  const last = mean(losses.slice(-3));
  assert.ok(
    last < first - 0.2,
    `loss should fall: first ${first.toFixed(3)}, last ${last.toFixed(3)}`
  );
  // Chance level for 2N = 128 views is log(127) = 4.84; the first steps start near it.
  assert.ok(Math.abs(losses[0] - Math.log(127)) < 0.5, `initial loss ${losses[0]}`);
  assert.equal(counts[14], counts[4], `tensor counts ${counts}`);
  optimizer.dispose();
  task.dispose();
  encoder.dispose();
  images.dispose();
});

test('SimCLR: trainable variables are the encoder and head weights', () => {
  const encoder = smallEncoder();
  const task = simclr({ encoder, projectionDim: 8, hiddenDim: 12 });
  const vars = task.trainableVariables();
  assert.equal(vars.length, encoder.trainableWeights.length + task.head.trainableWeights.length);
  // 2 x (conv kernel, bias) + 2 x (head kernel, bias).
  assert.equal(vars.length, 4 + 4);
  assert.ok(vars.every(v => v instanceof tf.Variable && v.trainable));
  assert.equal(new Set(vars.map(v => v.id)).size, vars.length);
  const y = tf.tidy(() => task.head.predict(tf.zeros([2, 16])) as Tensor);
  assert.deepEqual(y.shape, [2, 8]);
  y.dispose();
  task.dispose();
  encoder.dispose();
});

test('SimCLR with a batch-norm encoder: moving statistics are not trained, tensors stay flat', () => {
  const { images } = shapeImages(16, 28, 2);
  const encoder = smallEncoder(true);
  const task = simclr({ encoder, seed: 0 });
  const variables = task.trainableVariables();
  // 2 conv kernels (no bias next to batch norm) + 2 x (gamma, beta) + 2 x (head kernel, bias).
  assert.equal(variables.length, 2 + 4 + 4);
  const optimizer = tf.train.adam(0.01);
  const counts: number[] = [];
  for (let step = 0; step < 6; step++) {
    const cost = optimizer.minimize(() => task.loss(images, step), true, variables)!;
    assert.ok(Number.isFinite(cost.dataSync()[0]));
    cost.dispose();
    counts.push(tf.memory().numTensors);
  }
  assert.equal(counts[5], counts[2], `tensor counts ${counts}`);
  optimizer.dispose();
  task.dispose();
  encoder.dispose();
  images.dispose();
});

test('SimCLR: the same seed gives the same loss; config is JSON with the settings', () => {
  const { images } = shapeImages(8, 28, 3);
  const encoder = smallEncoder();
  const task = simclr({ encoder, temperature: 0.1 });
  const defaults = simclr({ encoder });
  assert.equal(defaults.temperature, 0.1, 'default temperature');
  assert.deepEqual(defaults.trainDefaults, { learningRate: 2e-3 }, 'its learning rate in px.train');
  defaults.dispose();
  const value = (seed: number) => tf.tidy(() => task.loss(images, seed).dataSync()[0]);
  assert.equal(value(5), value(5));
  // 5 and 6 differ by xor 3: with deriveSeed(seed, 1 | 2) they would get the same views swapped.
  const others = [6, 7, 8, 9].map(value);
  assert.equal(new Set(others).size, 4);
  assert.ok(!others.includes(value(5)));
  const config = JSON.parse(JSON.stringify(task.config()));
  assert.equal(config.method, 'simclr');
  assert.equal(config.temperature, 0.1);
  assert.equal(config.featureDim, 16);
  assert.equal(config.hiddenDim, 16);
  assert.equal(config.projectionDim, 64);
  assert.equal(config.encoder, 'conv_encoder');
  assert.equal(config.augment.op, 'simclrAugment');
  const custom = simclr({ encoder, augment: gaussianNoise({ std: 0.1 }) });
  assert.deepEqual(custom.config().augment, { op: 'gaussianNoise', std: 0.1, p: 1 });
  custom.dispose();
  task.dispose();
  encoder.dispose();
  images.dispose();
});

test('SimCLR: dispose frees the head but keeps the encoder; a disposed task refuses to train', () => {
  const encoder = smallEncoder();
  const before = tf.memory().numTensors;
  const task = simclr({ encoder });
  task.dispose();
  task.dispose();
  assert.equal(tf.memory().numTensors, before);
  const x = tf.zeros([2, 28, 28, 1]) as Tensor4D;
  const y = encoder.predict(x) as Tensor;
  assert.deepEqual(y.shape, [2, 16]);
  assert.throws(() => task.loss(x, 0), /disposed/);
  tf.dispose([x, y]);
  encoder.dispose();
});

test('SimCLR: bad batches and options raise PretextError before any tensor work', () => {
  const encoder = smallEncoder();
  const task = simclr({ encoder });
  const rgb = tf.zeros([4, 32, 32, 3]);
  const single = tf.zeros([1, 28, 28, 1]);
  const before = tf.memory().numTensors;
  assert.throws(
    () => task.loss(rgb, 0),
    /Images are 32x32x3 but the encoder 'conv_encoder' expects 28x28x1/
  );
  assert.throws(() => task.loss(single, 0), /at least 2 images/);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => simclr({ encoder, temperature: 0 }), PretextError);
  assert.throws(() => simclr({ encoder, temp: 0.5 } as never), /Unknown option 'temp'/);
  assert.throws(() => simclr({ encoder, projectionDim: -4 }), PretextError);
  assert.throws(() => simclr({ encoder: {} as never }), /not a tf.LayersModel/);
  tf.dispose([rgb, single]);
  task.dispose();
  encoder.dispose();
});
