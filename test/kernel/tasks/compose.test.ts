/**
 * Methods are compositions: a new one is built from existing parts (views, encoder, head,
 * loss) in a few lines and trains with the engine; the built-in ones are the same parts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as px from '../../../kernel/src/index';
import { tf, type Scalar, type Tensor, type Tensor4D } from '../../../kernel/src/backend/tf';
import { shapeImages } from './shapes';

const SIZE = 12;
const encoder = () => px.convEncoder({ inputShape: [SIZE, SIZE, 1], filters: [8, 16], seed: 1 });
const images = () => shapeImages(32, SIZE, 5).images as Tensor4D;
const quiet = { display: false, runStore: false as const };

test("a new method from existing parts: SimCLR's views + the VICReg loss, trained with px.train", async () => {
  const before = tf.memory().numTensors;
  const net = encoder();
  const task = px.jointEmbeddingTask({
    method: 'simclr-vicreg',
    encoder: net,
    augment: px.simclrAugment(),
    head: px.projectionHead(px.modelOutputDim(net), { output: 16, seed: 0 }),
    loss: (z1, z2) => px.vicregLoss(z1, z2)
  });
  const data = { name: 'shapes', inputs: images() };
  const result = await px.train(task, data, { ...quiet, epochs: 3, batchSize: 16, seed: 0 });
  assert.equal(result.status, 'done');
  assert.equal(result.history.length, 3 * 2);
  assert.ok(result.history.every(p => Number.isFinite(p.loss)));
  // The VICReg loss of untrained embeddings is large (variance hinge at 25x); it must fall.
  const losses = result.history.map(p => p.loss);
  assert.ok(losses[losses.length - 1] < losses[0], `losses ${losses}`);
  assert.equal(task.config().method, 'simclr-vicreg');
  // State named by role, stable across rebuilds: what exact resume from a checkpoint needs.
  const names = Object.keys(task.stateVariables!());
  assert.equal(names.length, net.weights.length + 4);
  assert.ok(names.includes('encoder/0') && names.includes('head/3'), names.join());
  task.dispose();
  data.inputs.dispose();
  net.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('simclr() is jointEmbeddingTask with the NT-Xent loss: the same parts give the same loss', () => {
  const augment = px.simclrAugment();
  const net = encoder();
  const builtIn = px.simclr({ encoder: net, augment, projectionDim: 8, seed: 3 });
  const head = px.projectionHead(px.modelOutputDim(net), { output: 8, seed: 3 });
  const composed = px.jointEmbeddingTask({
    method: 'my-simclr',
    encoder: net,
    augment,
    head,
    loss: (z1, z2) => px.ntXentLoss(z1, z2, builtIn.temperature)
  });
  const batch = images();
  const a = tf.tidy(() => builtIn.loss(batch, 7).dataSync()[0]);
  const b = tf.tidy(() => composed.loss(batch, 7).dataSync()[0]);
  assert.ok(Math.abs(a - b) < 1e-5, `${a} vs ${b}`);
  // Swapping only the loss changes the objective, not the views or networks.
  const vicreg = px.jointEmbeddingTask({
    method: 'simclr-vicreg',
    encoder: net,
    augment,
    head: px.projectionHead(px.modelOutputDim(net), { output: 8, seed: 3 }),
    loss: (z1, z2) => px.vicregLoss(z1, z2)
  });
  assert.ok(Math.abs(tf.tidy(() => vicreg.loss(batch, 7).dataSync()[0]) - a) > 1e-3);
  for (const task of [builtIn, composed, vicreg]) {
    task.dispose();
  }
  batch.dispose();
  net.dispose();
});

test('defineTask owns the skeleton: guards, variables by role, config, dispose', () => {
  const before = tf.memory().numTensors;
  const net = encoder();
  const head = px.linearHead(px.modelOutputDim(net), 3, { name: 'probe', seed: 1 });
  const target = px.targetCopy(head, 'probe_target');
  const zero = tf.scalar(0, 'int32');
  const counter = tf.variable(zero, false);
  zero.dispose();
  let steps = 0;
  const task = px.defineTask({
    method: 'toy',
    encoder: net,
    heads: { head },
    targets: { target },
    buffers: { counter },
    loss: batch =>
      tf.tidy(() => tf.mean(tf.square(head.apply(net.apply(batch)) as Tensor)) as Scalar),
    afterStep: () => {
      steps++;
    },
    config: { width: 3 },
    fields: { head }
  });
  assert.equal(task.head, head);
  assert.deepEqual(task.config(), { method: 'toy', width: 3 });
  assert.equal(
    task.trainableVariables().length,
    net.trainableWeights.length + head.trainableWeights.length
  );
  const names = Object.keys(task.stateVariables!());
  assert.ok(names.includes('encoder/0') && names.includes('head/1') && names.includes('target/0'));
  assert.equal(names[names.length - 1], 'counter');
  task.afterStep!(1);
  assert.equal(steps, 1);
  task.dispose();
  task.dispose(); // twice is harmless
  assert.throws(() => head.weights[0].read(), /disposed/);
  assert.ok(counter.isDisposed);
  assert.ok(
    net.weights.every(w => !w.read().isDisposed),
    'the encoder stays with the caller'
  );
  const batch = tf.zeros([2, SIZE, SIZE, 1]);
  assert.throws(() => task.loss(batch, 0), /toy task has been disposed/);
  batch.dispose();
  assert.throws(() => task.afterStep!(2), /disposed/);
  net.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('option typos get the closest known name; a joint-embedding task needs one view source', () => {
  const net = encoder();
  assert.throws(
    () => px.simclr({ encoder: net, temprature: 0.5 } as never),
    /Unknown option 'temprature' for simclr[\s\S]*Did you mean 'temperature'\?/
  );
  const head = px.projectionHead(px.modelOutputDim(net), { output: 4 });
  assert.throws(
    () =>
      px.jointEmbeddingTask({
        method: 'x',
        encoder: net,
        head,
        loss: (z1, z2) => px.vicregLoss(z1, z2)
      }),
    /exactly one of augment/
  );
  head.dispose();
  net.dispose();
});
