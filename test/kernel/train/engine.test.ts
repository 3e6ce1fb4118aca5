import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { inspect } from 'node:util';
import { tf, type Scalar, type Tensor, type Tensor4D } from '../../../kernel/src/backend/tf';
import type { ImageDataset } from '../../../kernel/src/data/dataset';
import { loadCheckpoint, openRunStore } from '../../../kernel/src/runs/store';
import type { PretextTask } from '../../../kernel/src/tasks/task';
import { resolveTrainOptions, type TrainOptions } from '../../../kernel/src/train/options';
import { learningRateAt } from '../../../kernel/src/train/schedule';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';
import { fakeTask, weightsOf } from './fake-task';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-engine-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function images(n: number, shape: [number, number, number] = [4, 4, 1]): ImageDataset {
  return {
    name: 'random',
    inputs: tf.randomUniform([n, ...shape], 0, 1, 'float32', 3) as Tensor4D
  };
}

const quiet = { display: false, batchSize: 8, runStore: false as const };

/** A task whose loss is (scale * sum of the dense kernel): its gradient is constant. */
function linearTask(scale: number, onStep?: (step: number, task: PretextTask) => void) {
  const base = fakeTask([4, 4, 1], undefined, { onStep });
  const task: PretextTask = {
    ...base,
    loss: (batch): Scalar =>
      tf.tidy(() => {
        const [kernel] = base.trainableVariables();
        const z = base.encoder.apply(batch) as Tensor;
        return kernel.sum().mul(scale).add(z.mean().mul(0)) as Scalar;
      })
  };
  return task;
}

test('schedule: linear warmup, then cosine from the peak to the minimum', () => {
  const schedule = resolveTrainOptions({
    learningRate: 0.1,
    schedule: { kind: 'cosine', warmupSteps: 4, minLearningRate: 0.01 }
  }).schedule;
  const at = (step: number) => learningRateAt(schedule, 0.1, step, 20, 5);
  [0.025, 0.05, 0.075, 0.1].forEach((lr, i) => assert.ok(Math.abs(at(i) - lr) < 1e-12, `${i}`));
  assert.equal(at(4), 0.1, 'cosine starts at the peak right after warmup');
  assert.ok(Math.abs(at(12) - 0.055) < 1e-12, `midpoint ${at(12)}`);
  assert.ok(Math.abs(at(20) - 0.01) < 1e-12, 'reaches the minimum after the last step');
  assert.ok(at(19) > 0.01 && at(19) < at(18));
  const epochs = resolveTrainOptions({ schedule: { kind: 'constant', warmupEpochs: 2 } }).schedule;
  assert.equal(learningRateAt(epochs, 1, 0, 100, 5), 0.1, 'warmupEpochs 2 x 5 steps = 10 steps');
  assert.equal(learningRateAt(epochs, 1, 50, 100, 5), 1);
});

for (const optimizer of ['sgd', 'adam', 'adamw'] as const) {
  test(`${optimizer} steps by the scheduled learning rate`, async () => {
    const kernels: number[] = [];
    const task = linearTask(1, (_, t) => kernels.push(weightsOf(t)[0][0]));
    const start = weightsOf(task)[0][0];
    const result = await train(task, images(32), {
      ...quiet,
      epochs: 2,
      learningRate: 0.1,
      optimizer,
      ...(optimizer === 'sgd' ? { momentum: 0 } : {}),
      schedule: { kind: 'cosine', warmupSteps: 3, minLearningRate: 0.001 }
    });
    const lrs = result.records.map(r => r.lr);
    assert.deepEqual(
      lrs,
      Array.from({ length: 8 }, (_, i) => learningRateAt(result.options.schedule, 0.1, i, 8, 4))
    );
    // Constant gradient 1: SGD moves by exactly lr; Adam by lr * g/(|g| + eps) ~= lr.
    const deltas = kernels.map((k, i) => (i === 0 ? start : kernels[i - 1]) - k);
    deltas.forEach((d, i) =>
      assert.ok(Math.abs(d - lrs[i]) < 2e-6, `step ${i}: ${d} vs ${lrs[i]}`)
    );
  });
}

test('gradient clipping caps the global norm (checked against a manual computation)', async () => {
  const data = images(16);
  const task = fakeTask();
  const vars = task.trainableVariables();
  const manual = tf.tidy(() => {
    const { grads } = tf.variableGrads(() => task.loss(data.inputs, 0), vars);
    const gs = vars.map(v => grads[v.name]);
    const norm = Math.sqrt(gs.reduce((s, g) => s + g.square().sum().dataSync()[0], 0));
    return { norm, grads: gs.map(g => Array.from(g.dataSync())) };
  });
  const before = weightsOf(task);
  const clip = 0.01;
  const result = await train(task, data, {
    ...quiet,
    batchSize: 16,
    epochs: 1,
    optimizer: 'sgd',
    momentum: 0,
    learningRate: 1,
    gradientClipNorm: clip
  });
  assert.ok(manual.norm > clip * 10, 'the test needs a gradient well above the cap');
  assert.ok(Math.abs(result.records[0].gradNorm! - manual.norm) < 1e-4 * manual.norm);
  const afterW = weightsOf(task);
  let stepNorm = 0;
  afterW.forEach((w, i) =>
    w.forEach((value, j) => {
      const delta = before[i][j] - value;
      stepNorm += delta * delta;
      const expected = (manual.grads[i][j] * clip) / manual.norm;
      assert.ok(Math.abs(delta - expected) < 1e-6, `${i},${j}: ${delta} vs ${expected}`);
    })
  );
  assert.ok(Math.abs(Math.sqrt(stepNorm) - clip) < 1e-6, `step norm ${Math.sqrt(stepNorm)}`);
});

for (const optimizer of ['adamw', 'sgd'] as const) {
  test(`${optimizer} decoupled weight decay shrinks kernels by (1 - lr*wd) per step, not biases`, async () => {
    const seen: number[][][] = [];
    const task = linearTask(0, (_, t) => seen.push(weightsOf(t)));
    const [, bias] = task.trainableVariables();
    bias.assign(tf.ones([3]));
    const start = weightsOf(task);
    await train(task, images(32), {
      ...quiet,
      epochs: 1,
      optimizer,
      learningRate: 0.1,
      weightDecay: 0.5
    });
    assert.equal(seen.length, 4);
    seen.forEach((w, s) => {
      const factor = 0.95 ** (s + 1);
      w[0].forEach((k, j) => assert.ok(Math.abs(k - start[0][j] * factor) < 1e-6));
      assert.deepEqual(w[1], [1, 1, 1], 'biases are not decayed');
    });
  });
}

test('a NaN gradient (finite loss) stops with the step named; the earlier checkpoint still loads', async () => {
  let calls = 0;
  // sqrt(|x - x|) is 0 but its gradient is NaN.
  const poison = (loss: Scalar) =>
    ++calls >= 6 ? (loss.add(loss.sub(loss).abs().sqrt()) as Scalar) : loss;
  const task = fakeTask([4, 4, 1], poison, { named: true });
  const error = await train(task, images(32), {
    ...quiet,
    runStore: root,
    epochs: 3
  }).catch(e => e);
  assert.ok(error instanceof PretextError, String(error));
  assert.match(error.message, /gradient norm became NaN \(loss [\d.]+\) at step 6 \(epoch 2\)/);
  assert.match(error.message, /last checkpoint \(step 4\) of run \S+ is intact/);
  assert.match(error.message, /Fix: Lower learningRate[^\n]*gradientClipNorm/);
  const store = openRunStore(root);
  const run = store.list().at(-1)!;
  assert.equal(run.status, 'failed');
  const fresh = fakeTask([4, 4, 1], undefined, { named: true, initSeed: 9 });
  const loaded = loadCheckpoint(fresh, run.id, root);
  assert.equal(loaded.step, 4);
  assert.ok(weightsOf(fresh).flat().every(Number.isFinite));
  assert.notDeepEqual(weightsOf(fresh), weightsOf(fakeTask([4, 4, 1], undefined, { initSeed: 9 })));
  assert.ok(weightsOf(task).flat().every(Number.isFinite), 'the bad update was never applied');
});

test('early stopping stops after `patience` checks without improvement', async () => {
  const scores = [1, 2, 2, 2, 2, 2];
  let evaluated = 0;
  const result = await train(fakeTask(), images(16), {
    ...quiet,
    epochs: 6,
    earlyStopping: { monitor: 'score', patience: 2 },
    monitors: [{ name: 'fake', evaluate: () => ({ score: scores[evaluated++] }) }]
  });
  assert.equal(result.status, 'stopped');
  assert.equal(result.epochs.length, 4, 'best at epoch 2, then 2 epochs without improvement');
  assert.match(
    result.message!,
    /Early stopping after epoch 4: score has not improved[\s\S]*best 2\.0000 at epoch 2/
  );
  assert.deepEqual(
    result.epochs.map(e => e.metrics?.score),
    [1, 2, 2, 2]
  );
  assert.equal(result.records[1].score, 1, 'monitor metrics land on the epoch’s last step');

  const byLoss = await train(fakeTask(), images(16), {
    ...quiet,
    epochs: 6,
    learningRate: 1e-9,
    earlyStopping: { patience: 1, minDelta: 0.1 }
  });
  assert.equal(byLoss.status, 'stopped');
  assert.equal(byLoss.epochs.length, 2);
});

test('monitors run every N epochs and show on the dashboard metrics', async () => {
  const at: number[] = [];
  const result = await train(fakeTask(), images(16), {
    ...quiet,
    epochs: 4,
    monitors: [
      {
        name: 'knn',
        everyEpochs: 2,
        evaluate: ctx => {
          at.push(ctx.epoch, ctx.step);
          return { knnAccuracy: ctx.epoch / 10 };
        }
      }
    ]
  });
  assert.deepEqual(at, [2, 4, 4, 8]);
  assert.match(inspect(result), /knnAccuracy 0\.4000/);
  assert.equal(result.epochs[3].metrics?.knnAccuracy, 0.4);
});

test('no tensors leak with every feature on', async () => {
  const data = images(32);
  const task = fakeTask([4, 4, 1], undefined, { named: true });
  const options: TrainOptions = {
    ...quiet,
    runStore: root,
    optimizer: 'adamw',
    weightDecay: 0.01,
    gradientClipNorm: 0.5,
    schedule: { kind: 'cosine', warmupSteps: 2 },
    monitors: [{ name: 'm', evaluate: () => ({ m: 1 }) }],
    earlyStopping: { monitor: 'loss', patience: 100 }
  };
  await train(task, data, { ...options, epochs: 1 });
  const before = tf.memory().numTensors;
  await train(task, data, { ...options, epochs: 3 });
  assert.equal(tf.memory().numTensors, before);
  const sgd = { ...options, optimizer: 'sgd' as const };
  await train(task, data, { ...sgd, epochs: 1 });
  const beforeSgd = tf.memory().numTensors;
  await train(task, data, { ...sgd, epochs: 3 });
  assert.equal(tf.memory().numTensors, beforeSgd);
});

test('every bad option is a PretextError before training', async () => {
  const data = images(16);
  const bad: [TrainOptions, RegExp][] = [
    [{ optimizer: 'rmsprop' as never }, /Unknown optimizer 'rmsprop'/],
    [{ momentum: 0.9 }, /momentum is an SGD setting/],
    [{ optimizer: 'sgd', momentum: 1 }, /momentum must be in \[0, 1\)/],
    [{ weightDecay: -1, optimizer: 'adamw' }, /weightDecay must be a number of at least 0/],
    [{ weightDecay: 0.1 }, /weightDecay with optimizer 'adam'[\s\S]*adamw/],
    [{ gradientClipNorm: 0 }, /gradientClipNorm must be a positive number/],
    [{ schedule: { kind: 'linear' as never } }, /schedule.kind must be 'cosine' or 'constant'/],
    [{ schedule: { kind: 'cosine', warmupSteps: 1.5 } }, /warmupSteps must be an integer/],
    [
      { schedule: { kind: 'cosine', warmupSteps: 1, warmupEpochs: 1 } },
      /both warmupSteps and warmupEpochs/
    ],
    [
      { schedule: { kind: 'cosine', minLearningRate: 1 } },
      /minLearningRate 1 is above learningRate/
    ],
    [
      { schedule: { kind: 'cosine', warmup: 3 } as never },
      /Unknown option 'warmup' for train\(\) schedule/
    ],
    [{ earlyStopping: { patience: 0 } }, /earlyStopping.patience must be a positive integer/],
    [{ earlyStopping: { mode: 'up' as never } }, /earlyStopping.mode must be 'min' or 'max'/],
    [
      { earlyStopping: { metric: 'loss' } as never },
      /Unknown option 'metric' for train\(\) earlyStopping/
    ],
    [{ monitors: {} as never }, /monitors must be an array/],
    [{ monitors: [{ name: 'a' } as never] }, /Monitor 'a' has no evaluate function/],
    [
      { monitors: [{ name: 'a', everyEpochs: 0, evaluate: () => ({}) }] },
      /everyEpochs must be a positive integer/
    ],
    [{ checkpointEvery: 0 }, /checkpointEvery must be a positive integer/],
    [{ runStore: 3 as never }, /runStore must be a folder path or false/],
    [{ runStore: false, resume: 'latest' }, /resume needs a run store/],
    [{ display: 'no' as never }, /display must be true or false/],
    [{ lr: 0.1 } as never, /Unknown option 'lr' for train\(\)/]
  ];
  for (const [options, pattern] of bad) {
    const error = await train(fakeTask(), data, { ...quiet, ...options }).catch(e => e);
    assert.ok(error instanceof PretextError, `${JSON.stringify(options)}: ${String(error)}`);
    assert.match(error.message, pattern);
    assert.match(error.message, /Fix: /);
  }
  const monitorError = await train(fakeTask(), data, {
    ...quiet,
    epochs: 2,
    earlyStopping: { monitor: 'acc' },
    monitors: [{ name: 'knn', evaluate: () => ({ knnAccuracy: 1 }) }]
  }).catch(e => e);
  assert.match(String(monitorError), /monitor 'acc' is not a metric[\s\S]*loss, knnAccuracy/);
  assert.equal(process.listenerCount('SIGINT'), 0);
});
