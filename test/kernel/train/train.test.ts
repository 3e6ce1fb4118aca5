import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Scalar, type Tensor4D } from '../../../kernel/src/backend/tf';
import type { ImageDataset } from '../../../kernel/src/data/dataset';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';
import { fakeTask } from './fake-task';

function images(n: number, shape: [number, number, number] = [4, 4, 1]): ImageDataset {
  return {
    name: 'random',
    inputs: tf.randomUniform([n, ...shape], 0, 1, 'float32', 3) as Tensor4D
  };
}

const quiet = { display: false, batchSize: 8, runStore: false as const };

test('train lowers the loss, records every step and reports how it ended', async () => {
  const data = images(64);
  const result = await train(fakeTask(), data, {
    ...quiet,
    epochs: 6,
    batchSize: 16,
    learningRate: 0.05
  });
  assert.equal(result.status, 'done');
  assert.equal(result.history.length, 6 * 4);
  assert.equal(result.epochs.length, 6);
  assert.ok(
    result.epochs[5].meanLoss < result.epochs[0].meanLoss * 0.5,
    `loss ${result.epochs.map(e => e.meanLoss)}`
  );
  assert.equal(result.environment.backend, 'tensorflow');
  assert.ok(result.samplesPerSec > 0);
});

test('the same seed repeats a run exactly; another seed does not', async () => {
  const run = async (seed: number) =>
    (await train(fakeTask(), images(48), { ...quiet, epochs: 2, batchSize: 16, seed })).history.map(
      p => p.loss
    );
  const a = await run(5);
  assert.deepEqual(await run(5), a);
  assert.notDeepEqual(await run(6), a);
});

test('no tensors leak across epochs', async () => {
  const data = images(32);
  const task = fakeTask();
  await train(task, data, { ...quiet, epochs: 1, batchSize: 8 });
  const before = tf.memory().numTensors;
  await train(task, data, { ...quiet, epochs: 3, batchSize: 8 });
  assert.equal(tf.memory().numTensors, before);
});

test('bad input is rejected before training with the problem and the fix', async () => {
  const data = images(16);
  const labeled: ImageDataset = { ...data, labels: new Int32Array(16) };
  await assert.rejects(
    train(fakeTask(), labeled, quiet),
    /must not see labels[\s\S]*Fix: Pass the unlabeled view/
  );
  await assert.rejects(
    train(fakeTask(), data, { ...quiet, batchSize: 32 }),
    /batchSize 32 is larger than the 16 examples[\s\S]*Use batchSize 16 or less/
  );
  await assert.rejects(
    train(fakeTask([8, 8, 1]), data, quiet),
    /are 4x4x1 but the encoder expects 8x8x1/
  );
  await assert.rejects(
    train(fakeTask(), data, { ...quiet, learningRate: 0 }),
    /learningRate must be a positive number/
  );
  await assert.rejects(
    train(fakeTask(), data, { ...quiet, epoch: 3 } as never),
    /Unknown option 'epoch' for train\(\)[\s\S]*epochs/
  );
  await assert.rejects(
    train(fakeTask(), { name: 'empty', inputs: tf.zeros([0, 4, 4, 1]) as Tensor4D }, quiet),
    /is empty/
  );
  await assert.rejects(
    train(fakeTask(), { name: 'flat', inputs: tf.zeros([8, 16]) }, quiet),
    /Examples in 'flat' are 16 but the encoder expects 4x4x1[\s\S]*inputShape \[16\]/
  );
  await assert.rejects(
    train(fakeTask(), { name: 'ids', inputs: tf.zeros([8, 4, 4, 1], 'int32') }, quiet),
    /holds int32 values but the encoder's input is float32[\s\S]*toFloat/
  );
  await assert.rejects(
    train(fakeTask(), { name: 'vector', inputs: tf.zeros([4]) }, quiet),
    /inputs are a tensor \[count, \.\.\.example shape\]/
  );
});

test('a NaN loss stops training with the step and a fix', async () => {
  let calls = 0;
  const task = fakeTask([4, 4, 1], loss => (++calls >= 3 ? (loss.mul(NaN) as Scalar) : loss));
  const error = await train(task, images(32), { ...quiet, epochs: 2, batchSize: 8 }).catch(e => e);
  assert.ok(error instanceof PretextError);
  assert.match(error.message, /loss became NaN at step 3 \(epoch 1\)/);
  assert.match(error.message, /Fix: Lower learningRate/);
});

test('a kernel interrupt stops at a step boundary and keeps what was learned', async () => {
  let calls = 0;
  const task = fakeTask([4, 4, 1], (loss, _seed) => {
    if (++calls === 3) {
      process.emit('SIGINT');
    }
    return loss;
  });
  const result = await train(task, images(64), { ...quiet, epochs: 5, batchSize: 8 });
  assert.equal(result.status, 'stopped');
  assert.equal(result.history.length, 3);
  assert.match(result.message!, /Interrupted at step 3/);
  assert.equal(process.listenerCount('SIGINT'), 0, 'the interrupt handler is removed afterwards');
});

test("a method's trainDefaults fill the options the caller left out, and only those", async () => {
  const data = images(32);
  const withDefaults = () => Object.assign(fakeTask(), { trainDefaults: { learningRate: 0.05 } });
  const filled = await train(withDefaults(), data, { ...quiet, epochs: 1 });
  assert.equal(filled.options.learningRate, 0.05);
  // An explicit undefined is "left out" too; the caller's own value always wins.
  const leftOut = await train(withDefaults(), data, {
    ...quiet,
    epochs: 1,
    learningRate: undefined
  });
  assert.equal(leftOut.options.learningRate, 0.05);
  const given = await train(withDefaults(), data, { ...quiet, epochs: 1, learningRate: 0.01 });
  assert.equal(given.options.learningRate, 0.01);
  // Without trainDefaults, train()'s own default.
  const plain = await train(fakeTask(), data, { ...quiet, epochs: 1 });
  assert.equal(plain.options.learningRate, 1e-3);
  // Bad options are still refused with train()'s message, defaults or not.
  await assert.rejects(() => train(withDefaults(), data, 5 as never), PretextError);
});
