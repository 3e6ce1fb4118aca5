/**
 * Checkpoints match a task by structure (order, weight kind, shape), not by the names tfjs
 * happens to give: building the same task again in one process (a notebook re-running its
 * build cells) gives 'conv1/kernel_1', and resume and loadCheckpoint must still work.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { simclrAugment } from '../../../kernel/src/augment/compose';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import type { ImageDataset } from '../../../kernel/src/data/dataset';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { readCheckpoint } from '../../../kernel/src/runs/checkpoint';
import { matchTaskState, weightKind } from '../../../kernel/src/runs/task-state';
import { loadCheckpoint, openRunStore } from '../../../kernel/src/runs/store';
import { simclr } from '../../../kernel/src/tasks/simclr';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';
import { hashTree } from '../../faults/hash';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-checkpoint-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const data: ImageDataset = {
  name: 'random 8x8',
  inputs: tf.randomUniform([16, 8, 8, 1], 0, 1, 'float32', 4) as Tensor4D
};
const build = (filters?: number[]) =>
  simclr({
    encoder: convEncoder({ inputShape: [8, 8, 1], seed: 1, ...(filters ? { filters } : {}) }),
    augment: simclrAugment(),
    projectionDim: 8,
    hiddenDim: 8,
    seed: 2
  });
const options = { batchSize: 8, display: false, runStore: root, seed: 3 } as const;

test('weightKind drops the layer and tfjs uniqueness suffix', () => {
  assert.equal(weightKind('conv_encoder_conv1/kernel_1'), 'kernel');
  assert.equal(weightKind('bn/moving_mean'), 'moving_mean');
  assert.equal(weightKind('dense_Dense3/bias'), 'bias');
});

test('rebuild, then resume: the rebuilt task continues the run', async () => {
  const straight = await train(build(), data, { ...options, epochs: 2, runStore: false });
  const first = await train(build(), data, { ...options, epochs: 1 });
  const rebuilt = build();
  // The very situation: the same layers, renamed by tfjs.
  assert.ok(rebuilt.trainableVariables().some(v => /_\d+$/.test(v.name)));
  const resumed = await train(rebuilt, data, { ...options, epochs: 2, resume: first.runId });
  assert.equal(resumed.status, 'done');
  assert.equal(resumed.runId, first.runId);
  assert.deepEqual(
    resumed.history.slice(0, 2).map(p => p.loss),
    first.history.map(p => p.loss),
    'the stored steps are kept'
  );
  // Native conv gradients are not bit-reproducible across runs (oneDNN reduction order: two
  // straight runs differ by ~1e-4 here), so the continuation is compared with a tolerance;
  // a resume from the wrong weights would be off by far more.
  resumed.history.forEach((p, i) =>
    assert.ok(
      Math.abs(p.loss - straight.history[i].loss) < 5e-3,
      `step ${i + 1}: ${p.loss} vs ${straight.history[i].loss} uninterrupted`
    )
  );
});

test('loadCheckpoint fills a rebuilt task with the stored weights', async () => {
  const trained = build();
  const result = await train(trained, data, { ...options, epochs: 1 });
  const copy = build();
  const loaded = loadCheckpoint(copy, result.runId!, root);
  assert.equal(loaded.step, 2);
  const a = trained.trainableVariables();
  const b = copy.trainableVariables();
  for (let i = 0; i < a.length; i++) {
    assert.deepEqual(await b[i].data(), await a[i].data(), `variable ${i}`);
  }
});

test('a task of another structure is refused, naming what differs, with nothing written', async () => {
  const runId = (await train(build(), data, { ...options, epochs: 1 })).runId!;
  const runDir = path.join(root, runId);
  const before = hashTree(runDir);
  const wider = build([8, 16, 16]);
  assert.throws(
    () => loadCheckpoint(wider, runId, root),
    (error: unknown) =>
      error instanceof PretextError &&
      /is \[3, 3, 1, \d+\] in the checkpoint but .* is \[3, 3, 1, 8\] in the task/.test(
        error.problem
      ) &&
      /Build the task exactly as for the stored run/.test(error.fix)
  );
  await assert.rejects(
    train(wider, data, { ...options, epochs: 2, resume: runId }),
    (error: unknown) => error instanceof PretextError && /does not match/.test(error.message)
  );
  const checkpoint = readCheckpoint(openRunStore(root).get(runId).checkpointPath!);
  const fewer = { ...build(), trainableVariables: () => build().trainableVariables().slice(2) };
  assert.throws(
    () => matchTaskState(checkpoint, fewer),
    (error: unknown) =>
      error instanceof PretextError &&
      /holds \d+ variables but the task has \d+/.test(error.problem)
  );
  const swapped = build();
  const vars = swapped.trainableVariables();
  [vars[0], vars[1]] = [vars[1], vars[0]];
  assert.throws(
    () => matchTaskState(checkpoint, { ...swapped, trainableVariables: () => vars }),
    (error: unknown) =>
      error instanceof PretextError && /variable 1 is a kernel .* but a bias/.test(error.problem)
  );
  assert.equal(hashTree(runDir), before, 'the run folder is unchanged');
});
