import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  resolveTrainOptions,
  type MonitorContext,
  type TrainOptions
} from '../../../kernel/src/train/options';
import { PretextError } from '../../../kernel/src/util/errors';

function refused(options: unknown): PretextError {
  try {
    resolveTrainOptions(options as TrainOptions);
  } catch (error) {
    assert.ok(error instanceof PretextError, String(error));
    return error;
  }
  assert.fail(`${JSON.stringify(options)} was accepted`);
}

test('left-out options resolve to the documented defaults, with no undefined keys', () => {
  const previous = process.env.PRETEXT_RUNS;
  process.env.PRETEXT_RUNS = '/tmp/pretext-options-runs';
  try {
    assert.deepEqual(resolveTrainOptions({}), {
      epochs: 10,
      batchSize: 256,
      learningRate: 1e-3,
      seed: 0,
      display: true,
      optimizer: 'adam',
      momentum: 0.9,
      schedule: { kind: 'constant', minLearningRate: 0 },
      weightDecay: 0,
      monitors: [],
      checkpointEvery: 1,
      compile: true,
      runStore: '/tmp/pretext-options-runs',
      callbacks: [],
      tensorboard: true
    });
    assert.deepEqual(resolveTrainOptions(undefined as never), resolveTrainOptions({}));
  } finally {
    if (previous === undefined) {
      delete process.env.PRETEXT_RUNS;
    } else {
      process.env.PRETEXT_RUNS = previous;
    }
  }
  const budgeted = resolveTrainOptions({ budget: '1m30s', runStore: false, epochs: undefined });
  assert.equal(budgeted.budget, 90);
  assert.ok(!('epochs' in budgeted), 'a budgeted run has no epochs');
  const early = resolveTrainOptions({ runStore: false, earlyStopping: { monitor: 'knn' } });
  assert.deepEqual(early.earlyStopping, { monitor: 'knn', patience: 3, minDelta: 0, mode: 'max' });
});

test('resolved options are valid options and resolve to themselves (what resume relies on)', () => {
  const resolved = resolveTrainOptions({
    runStore: false,
    optimizer: 'sgd',
    momentum: 0.8,
    schedule: { kind: 'cosine', warmupSteps: 3 },
    earlyStopping: { patience: 2 },
    gradientClipNorm: 1,
    title: 'demo'
  });
  assert.deepEqual(resolveTrainOptions(resolved as TrainOptions), resolved);
});

test('typos in nested options are named with the object they are in and the closest name', () => {
  const schedule = refused({ schedule: { kind: 'cosine', warmupEpoch: 1 } });
  assert.equal(schedule.problem, "Unknown option 'warmupEpoch' for train() schedule.");
  assert.match(schedule.fix, /^Did you mean 'warmupEpochs'\? Use one of: kind, warmupSteps/);
  const early = refused({ earlyStopping: { patiance: 2 } });
  assert.match(
    early.message,
    /Unknown option 'patiance' for train\(\) earlyStopping[\s\S]*'patience'/
  );
  const monitor = refused({
    monitors: [{ name: 'knn', evaluate: () => ({}), everyEpoch: 2 }]
  });
  assert.match(
    monitor.message,
    /Unknown option 'everyEpoch' for monitor 'knn'[\s\S]*'everyEpochs'/
  );
  // A typo is reported before anything it may have caused.
  assert.match(refused({ epoch: 3, batchSize: 1 }).problem, /Unknown option 'epoch' for train\(\)/);
});

test('monitors and callbacks are kept as given, so their methods keep `this`', async () => {
  const seen: string[] = [];
  // Own fields are options (name); the hook lives on the prototype and reads `this`.
  class CountingMonitor {
    name = 'count';
    evaluate(ctx: MonitorContext) {
      seen.push(this.name);
      return { count: ctx.epoch };
    }
  }
  const monitor = new CountingMonitor();
  const callback = { name: 'log', onStepEnd: () => undefined };
  const resolved = resolveTrainOptions({
    runStore: false,
    monitors: [monitor],
    callbacks: [callback]
  });
  assert.equal(resolved.monitors[0], monitor);
  assert.equal(resolved.callbacks[0], callback);
  await resolved.monitors[0].evaluate({ epoch: 2 } as MonitorContext);
  assert.deepEqual(seen, ['count']);
  const twice = refused({ runStore: false, monitors: [monitor, new CountingMonitor()] });
  assert.equal(twice.problem, "Two monitors are named 'count'.");
});

test('options that only fail together are refused with both named', () => {
  assert.match(
    refused({ epochs: 3, budget: '4m' }).problem,
    /both epochs \(3\) and budget \("4m"\)/
  );
  assert.match(refused({ budget: 'soon' }).problem, /budget must be a duration such as '90s'/);
  assert.match(refused({ title: 5 }).problem, /title must be a string, got 5/);
  assert.match(
    refused({ tracking: 'ftp://user:secret@host' }).problem,
    /tracking must be an http\(s\) URL/
  );
  assert.doesNotMatch(refused({ tracking: 'ftp://user:secret@host' }).message, /secret/);
  assert.match(refused({ seed: '3' }).fix, /seed: 3 \(without quotes\)/);
});
