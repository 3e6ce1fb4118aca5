import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf, type Tensor4D } from '../../../../kernel/src/backend/tf';
import type { ImageDataset } from '../../../../kernel/src/data/dataset';
import { loadCheckpoint, openRunStore } from '../../../../kernel/src/runs/store';
import type { TrainCallback, TrainContext } from '../../../../kernel/src/train/callbacks/callback';
import type { TrainOptions } from '../../../../kernel/src/train/options';
import { train } from '../../../../kernel/src/train/train';
import { PretextError } from '../../../../kernel/src/util/errors';
import { fakeTask, weightsOf } from '../fake-task';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-callbacks-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function images(n: number): ImageDataset {
  return { name: 'random', inputs: tf.randomUniform([n, 4, 4, 1], 0, 1, 'float32', 3) as Tensor4D };
}

const base: TrainOptions = { display: false, batchSize: 8, runStore: root, seed: 2 };

function readSummary(runId: string) {
  return JSON.parse(fs.readFileSync(path.join(root, runId, 'summary.json'), 'utf8'));
}

test('a user callback sees every hook in order, awaited, with the right records', async () => {
  const seen: string[] = [];
  let awaited = true;
  let contexts: TrainContext | undefined;
  const spy: TrainCallback = {
    name: 'spy',
    onTrainBegin(ctx) {
      contexts = ctx;
      seen.push(`begin ${ctx.step}/${ctx.totalSteps}`);
    },
    onGradients(stats, ctx) {
      assert.ok(awaited, 'the previous async onStepEnd finished before the next step');
      assert.equal(stats.step, ctx.step + 1, 'gradients come before the step is recorded');
      assert.ok(Number.isFinite(stats.loss) && stats.gradNorm > 0 && stats.lr === 0.01);
      seen.push(`gradients ${stats.step}`);
    },
    async onStepEnd(record, ctx) {
      assert.equal(ctx.records.at(-1), record);
      assert.equal(record.step, ctx.step);
      assert.equal(record.epoch, Math.ceil(record.step / 2));
      seen.push(`step ${record.step}`);
      awaited = false;
      await new Promise(resolve => setTimeout(resolve, 5));
      awaited = true;
    },
    onEpochEnd(epoch, ctx) {
      assert.equal(epoch.metrics?.peek, epoch.epoch * 10, 'monitors ran before user callbacks');
      assert.equal(ctx.records.at(-1)?.peek, epoch.epoch * 10);
      assert.equal(ctx.epochs?.at(-1), epoch);
      seen.push(`epoch ${epoch.epoch} at ${ctx.step}`);
    },
    onCheckpoint(checkpoint, ctx) {
      assert.ok(fs.existsSync(path.join(checkpoint.dir, 'manifest.json')));
      assert.equal(ctx.checkpoint?.step, checkpoint.step);
      seen.push(`checkpoint ${checkpoint.step}`);
    },
    onTrainEnd(end, ctx) {
      assert.equal(end.status, 'done');
      assert.equal(end.error, undefined);
      assert.deepEqual(end.summary, readSummary(ctx.runId!), 'the run store wrote first');
      seen.push(`end ${end.status} ${ctx.step}`);
    }
  };
  const result = await train(fakeTask([4, 4, 1], undefined, { named: true }), images(16), {
    ...base,
    epochs: 2,
    learningRate: 0.01,
    monitors: [{ name: 'peek', evaluate: ctx => ({ peek: ctx.epoch * 10 }) }],
    callbacks: [spy]
  });
  assert.deepEqual(seen, [
    'begin 0/4',
    'gradients 1',
    'step 1',
    'gradients 2',
    'step 2',
    'checkpoint 2',
    'epoch 1 at 2',
    'gradients 3',
    'step 3',
    'gradients 4',
    'step 4',
    'checkpoint 4',
    'epoch 2 at 4',
    'end done 4'
  ]);
  assert.deepEqual(contexts!.records, result.records);
  assert.equal(contexts!.runId, result.runId);
  const config = JSON.parse(fs.readFileSync(path.join(root, result.runId!, 'config.json'), 'utf8'));
  assert.deepEqual(config.options.callbacks, ['spy'], 'callbacks are recorded by name');
});

test('a throwing user callback fails the run naming it, and loses nothing written', async () => {
  const data = images(16);
  const boom: TrainCallback = {
    name: 'boom',
    onStepEnd: async record => {
      if (record.step === 3) {
        throw new Error('tracking server said no');
      }
    }
  };
  const task = fakeTask([4, 4, 1], undefined, { named: true });
  const before = tf.memory().numTensors;
  const error = await train(task, data, { ...base, epochs: 3, callbacks: [boom] }).catch(e => e);
  assert.ok(error instanceof PretextError, String(error));
  assert.match(
    error.message,
    /Callback 'boom' threw in onStepEnd at step 3: tracking server said no[\s\S]*last checkpoint \(step 2\)[\s\S]*resume: '/
  );
  assert.match(error.message, /Fix: Fix or remove callback 'boom'/);
  assert.equal((error as { cause?: Error }).cause?.message, 'tracking server said no');
  assert.equal(process.listenerCount('SIGINT'), 0);
  assert.equal(tf.memory().numTensors, before, 'no tensors leak on failure');
  const run = openRunStore(root).list().at(-1)!;
  const summary = readSummary(run.id);
  assert.equal(summary.status, 'failed');
  assert.match(summary.message, /Callback 'boom' threw in onStepEnd at step 3/);
  assert.equal(summary.steps, 3);
  const stored = openRunStore(root).get(run.id).metrics();
  assert.deepEqual(
    stored.map(r => r.step),
    [1, 2, 3],
    'the step the callback failed on is recorded'
  );
  const fresh = fakeTask([4, 4, 1], undefined, { named: true, initSeed: 4 });
  assert.equal(loadCheckpoint(fresh, run.id, root).step, 2);
  // Resume without the callback: the run continues from its checkpoint to the end.
  const resumed = await train(fresh, data, { display: false, runStore: root, resume: run.id });
  assert.equal(resumed.status, 'done');
  assert.equal(resumed.history.length, 6);
  assert.ok(weightsOf(resumed.task).flat().every(Number.isFinite));
});

test('an error in a user onTrainEnd rejects train, after the run store recorded the end', async () => {
  const late: TrainCallback = {
    name: 'late',
    onTrainEnd: () => {
      throw new Error('could not upload');
    }
  };
  const error = await train(fakeTask(), images(16), {
    ...base,
    epochs: 1,
    callbacks: [late]
  }).catch(e => e);
  assert.match(String(error), /Callback 'late' threw in onTrainEnd at step 2: could not upload/);
  const run = openRunStore(root).list().at(-1)!;
  assert.equal(run.status, 'done', 'training itself finished and was recorded so');
});

test('bad callbacks are refused before training', async () => {
  const cases: [unknown, RegExp][] = [
    [{ name: 'x' }, /callbacks must be an array/],
    [[{}], /Each callback needs a name/],
    [[{ name: 'x', onStepEnd: 3 }], /Callback 'x' has onStepEnd that is not a function/]
  ];
  for (const [callbacks, pattern] of cases) {
    const error = await train(fakeTask(), images(16), {
      ...base,
      runStore: false,
      callbacks: callbacks as TrainCallback[]
    }).catch(e => e);
    assert.ok(error instanceof PretextError, String(error));
    assert.match(error.message, pattern);
    assert.match(error.message, /Fix: /);
  }
});

test('a callback can stop the run; it ends stopped, checkpointed and resumable', async () => {
  const stopper: TrainCallback = {
    name: 'stopper',
    onStepEnd: (record, ctx) => {
      if (record.step === 3) {
        ctx.requestStop('Stopped by stopper at step 3.');
      }
    }
  };
  const result = await train(fakeTask([4, 4, 1], undefined, { named: true }), images(16), {
    ...base,
    epochs: 3,
    callbacks: [stopper]
  });
  assert.equal(result.status, 'stopped');
  assert.equal(result.message, 'Stopped by stopper at step 3.');
  assert.equal(result.history.length, 3);
  const run = openRunStore(root).get(result.runId!);
  assert.equal(run.summary?.status, 'stopped');
  assert.equal(run.checkpointStep, 3);
});
