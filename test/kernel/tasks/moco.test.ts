import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf, type Tensor, type Tensor2D, type Tensor4D } from '../../../kernel/src/backend/tf';
import { compose } from '../../../kernel/src/augment/compose';
import { randomResizedCrop } from '../../../kernel/src/augment/geometric';
import { gaussianNoise } from '../../../kernel/src/augment/photometric';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { createTask } from '../../../kernel/src/tasks/registry';
import { moco, mocoLoss, type MocoTask } from '../../../kernel/src/tasks/moco';
import { simclr } from '../../../kernel/src/tasks/simclr';
import type { PretextTask } from '../../../kernel/src/tasks/task';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';
import { deriveSeed } from '../../../kernel/src/util/random';
import { shapeImages } from './shapes';

const SIZE = 12;
const augment = compose(randomResizedCrop({ scale: [0.6, 1] }), gaussianNoise({ std: 0.05 }));
const encoder = () => convEncoder({ inputShape: [SIZE, SIZE, 1], filters: [8, 16], seed: 1 });
const data = { name: 'shapes', inputs: shapeImages(64, SIZE, 5).images };
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-moco-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const rows = (t: Tensor) => t.arraySync() as number[][];
const closeRows = (actual: number[][], expected: number[][], what: string) =>
  actual.forEach((row, i) =>
    row.forEach((v, j) =>
      assert.ok(
        Math.abs(v - expected[i][j]) < 1e-5,
        `${what} [${i}][${j}]: ${v} vs ${expected[i][j]}`
      )
    )
  );

/** The keys the task's key networks give for a batch at a step seed, as loss() computes them. */
function keysFor(task: MocoTask, images: Tensor4D, seed: number): number[][] {
  return tf.tidy(() => {
    const view = task.augment(images, deriveSeed(seed, 2));
    const k = task.keyHead.predict(task.keyEncoder.predict(view)) as Tensor2D;
    return rows(tf.div(k, tf.norm(k, 2, 1, true)));
  });
}

test('the queue is a FIFO ring: keys go in at the pointer, wrap around, and only filled slots count', () => {
  const task = moco({ encoder: encoder(), augment, queueSize: 3, momentum: 0.9, seed: 2 });
  const images = data.inputs.slice([0, 0, 0, 0], [2, -1, -1, -1]) as Tensor4D;
  const other = data.inputs.slice([2, 0, 0, 0], [2, -1, -1, -1]) as Tensor4D;
  assert.deepEqual(task.queueState(), { pointer: 0, filled: 0 });

  // An empty queue: the loss has no negatives and is exactly 0.
  const k1 = keysFor(task, images, 7);
  assert.equal(task.loss(images, 7).dataSync()[0], 0);
  task.afterStep!(1);
  assert.deepEqual(task.queueState(), { pointer: 2, filled: 2 });
  const queue1 = rows(task.queue);
  closeRows(queue1.slice(0, 2), k1, 'first push');
  assert.ok(
    queue1[2].every(v => v === 0),
    'slot 2 is still empty'
  );

  // Two filled slots: the loss equals mocoLoss over those 2, not over the zero third slot.
  const k2 = keysFor(task, other, 8);
  const loss = task.loss(other, 8).dataSync()[0];
  const [masked, unmasked] = tf.tidy(() => {
    const view = augment(other, deriveSeed(8, 1));
    const q = task.head.predict(task.encoder.predict(view)) as Tensor2D;
    const k = tf.tensor2d(k2);
    const queue = task.queue as Tensor as Tensor2D;
    return [
      mocoLoss(q, k, queue, task.temperature, 2).dataSync()[0],
      mocoLoss(q, k, queue, task.temperature).dataSync()[0]
    ];
  });
  assert.ok(Math.abs(loss - masked) < 1e-5, `${loss} vs masked ${masked}`);
  assert.ok(Math.abs(loss - unmasked) > 1e-3, 'the empty slot is not a negative');

  // The second push wraps: slot 2, then slot 0; slot 1 keeps the oldest surviving key.
  task.afterStep!(2);
  assert.deepEqual(task.queueState(), { pointer: 1, filled: 3 });
  closeRows(rows(task.queue), [k2[1], k1[1], k2[0]], 'wrapped push');

  // afterStep without a loss in between pushes nothing (but still moves the key networks).
  task.afterStep!(3);
  assert.deepEqual(task.queueState(), { pointer: 1, filled: 3 });
  assert.throws(
    () => task.loss(data.inputs.slice([0, 0, 0, 0], [4, -1, -1, -1]), 1),
    /the batch has 4 images but the queue holds only 3[\s\S]*queueSize/
  );
  task.dispose();
  assert.throws(() => task.loss(images, 1), /has been disposed/);
  tf.dispose([images, other]);
});

test('the key networks are momentum copies: never optimised, moved by the EMA after each step', () => {
  const online = encoder();
  const task = moco({ encoder: online, augment, momentum: 0.5, queueSize: 8, seed: 2 });
  const state = task.stateVariables!();
  const keyNames = Object.keys(state).filter(k => k.startsWith('key_'));
  assert.equal(keyNames.length, online.weights.length + task.head.weights.length);
  const trainable = new Set(task.trainableVariables());
  assert.ok(
    keyNames.every(k => !trainable.has(state[k])),
    'key networks are not optimised'
  );
  assert.ok(!trainable.has(task.queue), 'the queue is not optimised');
  for (const name of ['queue', 'queue_pointer', 'queue_filled']) {
    assert.ok(name in state);
  }
  const key0 = Array.from(state['key_encoder/0'].dataSync());
  assert.deepEqual(key0, Array.from(online.weights[0].read().dataSync()), 'starts as a copy');
  online.weights[0].write(tf.add(online.weights[0].read(), 2));
  task.afterStep!(1);
  const moved = state['key_encoder/0'].dataSync();
  assert.ok(Math.abs(moved[0] - (key0[0] + 1)) < 1e-5, 'momentum 0.5 moves halfway');
  task.dispose();
});

async function trainsWithoutLeaks(task: PretextTask): Promise<number[]> {
  const options = {
    epochs: 6,
    batchSize: 16,
    learningRate: 3e-3,
    display: false,
    runStore: false as const
  };
  const first = await train(task, data, options);
  const losses = first.history.map(p => p.loss);
  assert.ok(losses.every(Number.isFinite), `${task.method}: no NaN`);
  // Same task, more epochs: the tensor count must not grow.
  const before = tf.memory().numTensors;
  await train(task, data, { ...options, epochs: 2 });
  assert.equal(tf.memory().numTensors, before, `${task.method} leaks tensors`);
  return losses;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('MoCo trains on shapes: the loss falls once the queue holds negatives, with no NaN or leak', async () => {
  const task = moco({ encoder: encoder(), augment, queueSize: 32, seed: 3 });
  const losses = await trainsWithoutLeaks(task);
  assert.equal(losses[0], 0, 'step 1 has an empty queue');
  // From step 3 the queue (32 = 2 batches) is full; compare its first and last steps.
  const full = losses.slice(2);
  assert.ok(
    mean(full.slice(-4)) < mean(full.slice(0, 4)) - 0.1,
    `moco loss should fall: ${losses.map(l => l.toFixed(3))}`
  );
  task.dispose();
});

test('a plain tf.sequential built by the user trains with simclr and moco', async () => {
  const userModel = () =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [SIZE, SIZE, 1],
          filters: 8,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tf.initializers.heNormal({ seed: 4 })
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({
          units: 32,
          activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 5 })
        })
      ]
    });
  for (const task of [
    simclr({ encoder: userModel(), augment, seed: 6 }),
    moco({ encoder: userModel(), augment, queueSize: 32, seed: 6 })
  ]) {
    const losses = await trainsWithoutLeaks(task);
    const from = task.method === 'moco' ? 2 : 0;
    assert.ok(
      mean(losses.slice(-4)) < mean(losses.slice(from, from + 4)),
      `${task.method} on a user model should learn: ${losses.map(l => l.toFixed(3))}`
    );
    task.dispose();
  }
});

test('2 epochs + resume 2 gives the same losses, weights and queue as 4 epochs straight', async () => {
  const build = (seed: number) =>
    createTask('moco', {
      encoder: convEncoder({ inputShape: [SIZE, SIZE, 1], filters: [8, 16], seed }),
      augment,
      queueSize: 40,
      seed
    }) as MocoTask;
  // queueSize 40 with batch 16 wraps mid-batch, so the ring pointer must be restored exactly.
  const options = { display: false, batchSize: 16, runStore: root, seed: 9, learningRate: 3e-3 };
  const straight = await train(build(1), data, { ...options, epochs: 4 });
  const first = await train(build(1), data, { ...options, epochs: 2 });
  // Other initial weights and an empty queue: everything must come from the checkpoint.
  const resumed = await train(build(7), data, { ...options, epochs: 4, resume: first.runId! });
  assert.equal(resumed.status, 'done');
  assert.deepEqual(
    resumed.history.map(p => p.loss),
    straight.history.map(p => p.loss)
  );
  const a = straight.task as MocoTask;
  const b = resumed.task as MocoTask;
  assert.deepEqual(b.queueState(), a.queueState());
  assert.deepEqual(b.queueState(), { pointer: (16 * 16) % 40, filled: 40 });
  assert.deepEqual(Array.from(b.queue.dataSync()), Array.from(a.queue.dataSync()));
  assert.deepEqual(
    Array.from(b.keyEncoder.weights[0].read().dataSync()),
    Array.from(a.keyEncoder.weights[0].read().dataSync())
  );
  for (const task of [straight.task, first.task, resumed.task]) {
    task.dispose();
  }
});

test('bad MoCo options raise errors that name the problem and the fix', () => {
  const e = encoder();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ queuesize: 64 }, /Unknown option 'queuesize' for moco[\s\S]*queueSize/],
    [{ temperature: 0 }, /moco temperature must be a positive number, got 0/],
    [{ temperature: -1 }, /moco temperature must be a positive number/],
    [{ queueSize: 0 }, /queueSize must be a positive integer, got 0[\s\S]*Fix: Pass e\.g\./],
    [{ queueSize: 10.5 }, /queueSize must be a positive integer, got 10\.5/],
    [{ momentum: 1 }, /momentum must be in \[0, 1\), got 1[\s\S]*0\.99/],
    [{ momentum: -0.1 }, /momentum must be in \[0, 1\)/],
    [{ augment: 'crop' }, /augment must be an augmentation function/]
  ];
  for (const [extra, message] of cases) {
    assert.throws(
      () => moco({ encoder: e, ...extra } as never),
      (error: unknown) => error instanceof PretextError && message.test(error.message),
      `expected ${message} for ${JSON.stringify(extra)}`
    );
  }
  assert.throws(() => moco(undefined as never), /moco needs an options object/);
  assert.throws(() => moco({ encoder: {} as never }), /moco: encoder is not a tf.LayersModel/);
  const task = moco({ encoder: e, queueSize: 64 });
  assert.throws(
    () => task.loss(tf.zeros([2, 28, 28, 1]), 0),
    /Images are 28x28x1 but the encoder 'conv_encoder' expects 12x12x1/
  );
  assert.deepEqual(
    { ...task.config(), augment: undefined },
    {
      method: 'moco',
      queueSize: 64,
      temperature: 0.2,
      momentum: 0.99,
      featureDim: 16,
      hiddenDim: 16,
      projectionDim: 64,
      encoder: 'conv_encoder',
      augment: undefined
    }
  );
  task.dispose();
});
