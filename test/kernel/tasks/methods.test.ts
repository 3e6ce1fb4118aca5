import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Tensor4D } from '../../../kernel/src/backend/tf';
import { compose, simclrAugment } from '../../../kernel/src/augment/compose';
import { randomResizedCrop } from '../../../kernel/src/augment/geometric';
import { gaussianNoise } from '../../../kernel/src/augment/photometric';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { byol } from '../../../kernel/src/tasks/byol';
import { disposeDataset, splitForSsl } from '../../../kernel/src/data/dataset';
import { loadMnist } from '../../../kernel/src/datasets/mnist';
import { maskedImage, patchMask } from '../../../kernel/src/tasks/masked-image';
import { deriveSeed } from '../../../kernel/src/util/random';
import { createTask, METHODS } from '../../../kernel/src/tasks/registry';
import { rotate90, rotation } from '../../../kernel/src/tasks/rotation';
import { barlowTwins, vicreg } from '../../../kernel/src/tasks/vicreg';
import type { PretextTask } from '../../../kernel/src/tasks/task';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';
import { shapeImages } from './shapes';

const SIZE = 12;
const augment = compose(randomResizedCrop({ scale: [0.6, 1] }), gaussianNoise({ std: 0.05 }));
const encoder = () => convEncoder({ inputShape: [SIZE, SIZE, 1], filters: [8, 16], seed: 1 });
const data = { name: 'shapes', inputs: shapeImages(64, SIZE, 5).images };

async function trains(task: PretextTask, learningRate = 3e-3): Promise<void> {
  const options = {
    epochs: 6,
    batchSize: 16,
    learningRate,
    display: false,
    runStore: false as const
  };
  const first = await train(task, data, options);
  const losses = first.history.map(p => p.loss);
  assert.ok(losses.every(Number.isFinite), `${task.method}: no NaN`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(
    mean(losses.slice(-4)) < mean(losses.slice(0, 4)),
    `${task.method} loss should fall: ${losses.map(l => l.toFixed(3))}`
  );
  // Same task, more epochs: the tensor count must not grow.
  const before = tf.memory().numTensors;
  await train(task, data, { ...options, epochs: 2 });
  assert.equal(tf.memory().numTensors, before, `${task.method} leaks tensors`);
  task.dispose();
}

test('BYOL trains, and its EMA target follows the online encoder without being optimised', async () => {
  const online = encoder();
  const task = byol({ encoder: online, augment, tau: 0.9, seed: 2 });
  const state = task.stateVariables!();
  const targetKeys = Object.keys(state).filter(k => k.startsWith('target_encoder/'));
  assert.equal(targetKeys.length, online.weights.length);
  const trainable = new Set(task.trainableVariables());
  assert.ok(
    targetKeys.every(k => !trainable.has(state[k])),
    'target weights are never optimised'
  );
  const before = state[targetKeys[0]].dataSync().slice();
  await trains(task);
  // dispose() freed the target; rebuild to check the EMA moved it.
  const again = byol({ encoder: online, augment, tau: 0.5, seed: 2 });
  const target0 = again.stateVariables!()['target_encoder/0'];
  const copy = target0.dataSync().slice();
  assert.deepEqual(
    Array.from(copy),
    Array.from(online.weights[0].read().dataSync()),
    'target starts as a copy'
  );
  online.weights[0].write(tf.add(online.weights[0].read(), 2));
  again.afterStep!(1);
  const moved = target0.dataSync();
  assert.ok(
    Math.abs(moved[0] - (copy[0] + 1)) < 1e-5,
    'tau 0.5 moves the target halfway to the online weights'
  );
  assert.ok(before.length > 0);
  again.dispose();
});

test("BYOL on MNIST at the compare notebook's short Adam recipe trains without collapsing", async () => {
  // Its heads without batch norm collapsed here (seed 0, step 75: every probe image mapped to
  // one embedding), and one CI machine's trajectory did the same inside the notebook's budget.
  const mnist = loadMnist({ perClass: 200 });
  const split = splitForSsl(mnist, { testFraction: 0.2, labelFraction: 0.1, seed: 0 });
  const task = byol({
    encoder: convEncoder({ inputShape: [28, 28, 1], seed: 1 }),
    augment: simclrAugment()
  });
  assert.equal(task.config().headBatchNorm, true);
  const normalised = (t: PretextTask, head: string) =>
    t.trainableVariables().some(v => v.name.includes(`_byol_${head}_hidden_bn/`));
  assert.ok(normalised(task, 'projector') && normalised(task, 'predictor'));
  try {
    const result = await train(task, split.unlabeled, {
      epochs: 12,
      batchSize: 128,
      learningRate: 2e-3,
      schedule: { kind: 'cosine', warmupEpochs: 1 },
      seed: 0,
      display: false,
      runStore: false
    });
    assert.equal(result.status, 'done');
    assert.ok(result.history.at(-1)!.loss > 0.05, 'a loss near 0 is the collapsed solution');
  } finally {
    task.dispose();
    for (const data of [mnist, split.unlabeled, split.labeled, split.test]) {
      disposeDataset(data);
    }
  }
  const plain = byol({ encoder: encoder(), headBatchNorm: false });
  assert.ok(!normalised(plain, 'projector') && !normalised(plain, 'predictor'));
  plain.dispose();
  assert.throws(
    () => byol({ encoder: encoder(), headBatchNorm: 1 as never }),
    /byol headBatchNorm must be true or false/
  );
});

test('VICReg and Barlow Twins train on the same module', async () => {
  await trains(vicreg({ encoder: encoder(), augment, expanderDim: 32, seed: 3 }));
  const barlow = barlowTwins({ encoder: encoder(), augment, expanderDim: 32, seed: 3 });
  assert.equal(barlow.method, 'barlow');
  await trains(barlow);
  assert.throws(
    () => vicreg({ encoder: encoder(), loss: 'simclr' as never }),
    /Unknown redundancy-reduction loss 'simclr'/
  );
});

test('rotation prediction trains; rotate90 gives 4 distinct views and 4 turns are the identity', async () => {
  const image = tf.tensor4d(
    Float32Array.from({ length: 9 }, (_, i) => i),
    [1, 3, 3, 1]
  );
  const views = [0, 1, 2, 3].map(k => Array.from(rotate90(image as Tensor4D, k).dataSync()));
  assert.equal(new Set(views.map(v => v.join())).size, 4);
  // 90 degrees counter-clockwise: the top row becomes the left column, read bottom-up.
  assert.deepEqual(views[1], [2, 5, 8, 1, 4, 7, 0, 3, 6]);
  let x = image as Tensor;
  for (let i = 0; i < 4; i++) {
    x = rotate90(x as Tensor4D, 1);
  }
  assert.deepEqual(Array.from(x.dataSync()), Array.from(image.dataSync()));
  await trains(rotation({ encoder: encoder(), seed: 4 }), 1e-2);
  const wide = convEncoder({ inputShape: [8, 12, 1], filters: [4] });
  assert.throws(() => rotation({ encoder: wide }), /must be square[\s\S]*8x12/);
});

test('createTask builds every image method and suggests the closest name for a typo', () => {
  // The other modalities' methods need their own encoders; their tests build them by name.
  for (const { name } of METHODS.filter(m => m.modality === 'image')) {
    const task = createTask(name, { encoder: encoder() });
    assert.equal(task.method, name);
    task.dispose();
  }
  assert.throws(
    () => createTask('simclear', { encoder: encoder() }),
    (error: unknown) =>
      error instanceof PretextError &&
      /Unknown pretext task 'simclear'/.test(error.message) &&
      /Did you mean 'simclr'/.test(error.message)
  );
  assert.throws(() => byol({ encoder: encoder(), tau: 1.5 }), /tau must be in \[0, 1\)/);
  assert.throws(
    () => byol({ encoder: encoder(), momentum: 0.9 } as never),
    /Unknown option 'momentum' for byol/
  );
});

test('masked-image: masks hide whole patches, the loss counts only hidden pixels, and it trains', async () => {
  const mask = patchMask(3, 12, 12, 4, 0.5, 7);
  const perImage = tf.tidy(() => mask.sum([1, 2, 3]).dataSync());
  // 9 patches of 16 pixels; round(0.5 * 9) = 5 hidden.
  assert.deepEqual(Array.from(perImage), [80, 80, 80]);
  const grid = tf.tidy(() =>
    mask
      .slice([0, 0, 0, 0], [1, 12, 12, 1])
      .reshape([3, 4, 3, 4])
      .transpose([0, 2, 1, 3])
      .reshape([9, 16])
  );
  const patchSums = Array.from(tf.tidy(() => grid.sum(1).dataSync()));
  assert.ok(
    patchSums.every(v => v === 0 || v === 16),
    'every patch is wholly hidden or wholly visible'
  );

  const task = maskedImage({ encoder: encoder(), patchSize: 4, seed: 5 });
  const x = data.inputs.slice([0, 0, 0, 0], [4, -1, -1, -1]) as Tensor4D;
  const loss = task.loss(x, 11).dataSync()[0];
  const manual = tf.tidy(() => {
    const m = patchMask(4, SIZE, SIZE, 4, 0.5, deriveSeed(11, 1));
    const recon = task.decoder.predict(task.encoder.predict(tf.mul(x, tf.sub(1, m)))) as Tensor;
    const err = tf.square(tf.sub(recon, x));
    return [tf.div(tf.sum(tf.mul(err, m)), tf.sum(m)).dataSync()[0], tf.mean(err).dataSync()[0]];
  });
  assert.ok(Math.abs(loss - manual[0]) < 1e-5, `loss ${loss} vs hidden-pixel MSE ${manual[0]}`);
  assert.ok(Math.abs(loss - manual[1]) > 1e-4, 'differs from the all-pixel MSE');
  await trains(task, 1e-2);
  assert.throws(
    () => maskedImage({ encoder: encoder(), patchSize: 5 }),
    /patchSize 5 does not divide the 12x12 images[\s\S]*e\.g\. 4/
  );
  assert.throws(
    () => maskedImage({ encoder: encoder(), maskRatio: 1 }),
    /maskRatio must be between 0 and 1/
  );
});
