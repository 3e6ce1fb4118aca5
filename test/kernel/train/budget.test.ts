import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { inspect } from 'node:util';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import type { ImageDataset } from '../../../kernel/src/data/dataset';
import { openRunStore } from '../../../kernel/src/runs/store';
import { BudgetPlanner, budgetText, parseBudget } from '../../../kernel/src/train/budget';
import type { TrainOptions } from '../../../kernel/src/train/options';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';
import { fakeTask } from './fake-task';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-budget-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function images(n: number): ImageDataset {
  return { name: 'random', inputs: tf.randomUniform([n, 4, 4, 1], 0, 1, 'float32', 3) as Tensor4D };
}

const schedule = { kind: 'cosine' as const, warmupSteps: 5, minLearningRate: 0.001 };
const base: TrainOptions = {
  display: false,
  batchSize: 8,
  runStore: root,
  learningRate: 0.01,
  schedule
};

test('budgets parse from seconds or h/m/s text; anything else is refused with examples', () => {
  const good: [string | number, number][] = [
    ['90s', 90],
    ['4m', 240],
    ['1h', 3600],
    ['1h30m', 5400],
    [' 2m 30s ', 150],
    ['0.5m', 30],
    [12.5, 12.5]
  ];
  for (const [text, seconds] of good) {
    assert.equal(parseBudget(text), seconds, String(text));
  }
  for (const bad of ['four minutes', '4 parsecs', '', '5', '-3s', 0, -5, NaN, Infinity, '1d']) {
    assert.throws(
      () => parseBudget(bad),
      (error: unknown) =>
        error instanceof PretextError &&
        /budget must be a duration such as '90s', '4m' or '1h'/.test(error.message) &&
        /Fix: Pass e\.g\. \{ budget: '90s' \}, \{ budget: '4m' \}/.test(error.message),
      `${String(bad)} is refused with examples`
    );
  }
  assert.equal(budgetText(5400), '1h30m');
  assert.equal(budgetText(90), '1m30s');
});

test('the planner times steps after the first, plans, and re-plans only on a drift over 15%', () => {
  // Step times are binary fractions, so each timing window ends exactly where a phase does.
  const planner = new BudgetPlanner(10, 100);
  assert.equal(planner.scheduleTotal(), Number.MAX_SAFE_INTEGER, 'no end before timing');
  let step = 1;
  let elapsed = 0.5; // the first step: graph set-up, left out of the timing
  planner.observe(step, elapsed);
  const run = (steps: number, perStep: number) => {
    for (let i = 0; i < steps; i++) {
      planner.observe(++step, (elapsed += perStep));
    }
  };
  run(32, 1 / 64);
  assert.equal(planner.planned, 33 + 9 * 64, 'planned from the first 0.5 s window');
  run(62, 17 / 1024); // 6% slower: noise, not a new speed
  assert.equal(planner.planned, 33 + 9 * 64);
  assert.equal(planner.replans, 0);
  run(16, 1 / 32); // twice as slow: re-plan on the time that is left
  assert.equal(planner.replans, 1);
  assert.equal(planner.planned, step + Math.floor((10 - elapsed) * 32));
  // A second of monitors at an epoch end (100 steps) is budgeted as 0.01 s more per step.
  planner.epochEnd(1);
  elapsed += 1;
  run(8, 1 / 16);
  assert.equal(planner.replans, 2);
  assert.equal(planner.planned, step + Math.floor((10 - elapsed) / (1 / 16 + 1 / 100)));
  assert.equal(planner.finished(step, elapsed), false);
  assert.equal(planner.finished(planner.planned!, elapsed), true, 'the planned steps are done');
  assert.equal(planner.finished(step, 10), true, 'the time is up');
  const resumed = new BudgetPlanner(10, 100, 500);
  assert.equal(resumed.scheduleTotal(), 500, 'a resumed run keeps its plan until it is timed');
});

test('a budget of a few seconds stops on time, with the schedule at its end; planned vs done recorded', async () => {
  const budget = 3;
  const result = await train(fakeTask(), images(256), { ...base, budget: '3s' });
  assert.equal(result.status, 'done');
  assert.ok(
    result.seconds >= budget * 0.7 && result.seconds <= budget + 1,
    `trained ${result.seconds} s for a ${budget} s budget`
  );
  const lrs = result.records.map(r => r.lr);
  const last = lrs.at(-1)!;
  assert.ok(lrs.length > 40, `${lrs.length} steps`);
  assert.ok(
    last <= 0.001 + 0.2 * (0.01 - 0.001),
    `lr at the last step ${last} is near minLearningRate`
  );
  assert.ok(lrs[Math.floor(lrs.length / 2)] > last, 'the learning rate decays over the run');
  assert.ok(Math.abs(lrs[0] - 0.002) < 1e-12, 'warmup in steps still works');
  const run = openRunStore(root).get(result.runId!);
  assert.equal(run.config.options.budget, 3);
  assert.equal(run.config.options.epochs, undefined);
  const summary = run.summary!;
  assert.equal(summary.budget?.seconds, 3);
  assert.equal(summary.budget?.doneSteps, result.records.length);
  assert.ok(summary.budget!.plannedSteps! >= summary.budget!.doneSteps, JSON.stringify(summary));
  assert.match(result.message!, /Budget of 3s: \d+ steps done of \d+ planned/);
  assert.match(inspect(result), /\[done\] step (\d+)\/\1 \(epoch \d+\/\d+\)[^\n]* · budget 3s/);
  assert.equal(run.metrics().length, result.records.length);
});

test('warmup in epochs works under a budget, and epochs with a budget is an error naming both', async () => {
  const result = await train(fakeTask(), images(64), {
    ...base,
    runStore: false,
    budget: 1,
    schedule: { kind: 'cosine', warmupEpochs: 1 }
  });
  assert.ok(Math.abs(result.records[0].lr - 0.01 / 8) < 1e-12, 'one epoch of 8 steps of warmup');
  assert.ok(Math.abs(result.records[7].lr - 0.01) < 1e-12);
  const error = await train(fakeTask(), images(64), { ...base, budget: '4m', epochs: 3 }).catch(
    e => e
  );
  assert.ok(error instanceof PretextError);
  assert.match(error.message, /both epochs \(3\) and budget \("4m"\)/);
  assert.match(error.message, /Fix: Give one/);
});

test('a budgeted run resumed after an interrupt continues toward the same budget', async () => {
  const data = images(256);
  const interrupted = await train(fakeTask([4, 4, 1], undefined, { named: true }), data, {
    ...base,
    budget: 2,
    callbacks: [
      {
        name: 'stop',
        onStepEnd: (_r, ctx) => {
          if (ctx.elapsedSeconds > 0.8 && ctx.step % 32 === 7) {
            process.emit('SIGINT');
          }
        }
      }
    ]
  });
  assert.equal(interrupted.status, 'stopped');
  const steps = interrupted.records.length;
  const resumed = await train(fakeTask([4, 4, 1], undefined, { named: true }), data, {
    display: false,
    runStore: root,
    resume: interrupted.runId!
  });
  assert.equal(resumed.status, 'done');
  assert.ok(resumed.records.length > steps, `${resumed.records.length} > ${steps}`);
  assert.ok(resumed.seconds >= 2 * 0.7 && resumed.seconds <= 3, `${resumed.seconds} s in all`);
  const run = openRunStore(root).get(interrupted.runId!);
  assert.equal(run.summary?.budget?.seconds, 2);
  assert.equal(run.config.resumes?.[0].fromStep, steps);
  assert.equal(run.config.resumes?.[0].options.budget, 2);
  const records = run.metrics();
  assert.deepEqual(
    records.map(r => r.step),
    records.map((_, i) => i + 1),
    'one unbroken curve across the resume'
  );
});
