/**
 * Fault cases: resuming or loading into something that does not fit. Each is refused before
 * anything is written, with the difference named, and the run folder is byte-for-byte kept.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { tf, type Tensor4D, type Variable } from '../../kernel/src/backend/tf';
import type { Dataset } from '../../kernel/src/data/dataset';
import { loadCheckpoint, openRunStore } from '../../kernel/src/runs/store';
import { train } from '../../kernel/src/train/train';
import { fakeTask } from '../kernel/train/fake-task';
import { expectClearError } from './expect';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-faults-ckpt-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const data: Dataset = {
  name: 'random',
  inputs: tf.randomUniform([16, 4, 4, 1], 0, 1, 'float32', 5) as Tensor4D
};
const options = { display: false, runStore: root, batchSize: 4, epochs: 1, seed: 2 } as const;
let runId = '';
let runDir = '';

before(async () => {
  runId = (await train(fakeTask(), data, options)).runId!;
  runDir = path.join(root, runId);
});

test('resume into a task of another shape: the variable and both shapes are named', async () => {
  const other = fakeTask([4, 4, 1]);
  // Same layers, one more output unit: build it by hand so only the kernel's shape differs.
  const wider = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 4 })]
  });
  const task = {
    ...other,
    encoder: wider,
    trainableVariables: () => wider.trainableWeights.map(w => w.read() as Variable)
  };
  await expectClearError(() => train(task, data, { ...options, epochs: 2, resume: runId }), {
    problem: /is \[16, 3\] in the checkpoint but .* is \[16, 4\] in the task/,
    fix: /Build the task exactly as for the stored run/,
    unchanged: [runDir]
  });
});

test('loadCheckpoint into a task with fewer variables: the counts are named', async () => {
  const task = fakeTask();
  const fewer = { ...task, trainableVariables: () => task.trainableVariables().slice(0, 1) };
  await expectClearError(() => loadCheckpoint(fewer, runId, root), {
    problem: /holds 2 variables but the task has 1/,
    fix: /same method, encoder and head sizes/,
    unchanged: [runDir]
  });
});

test('resume with another batch size would not continue the same run', async () => {
  await expectClearError(
    () => train(fakeTask(), data, { ...options, epochs: 2, batchSize: 8, resume: runId }),
    {
      problem: /trained with batchSize 4; resuming with 8/,
      fix: /Leave batchSize out/,
      unchanged: [runDir]
    }
  );
});

test('resume on other data', async () => {
  const other: Dataset = { name: 'other', inputs: tf.randomUniform([20, 4, 4, 1]) as Tensor4D };
  await expectClearError(() => train(fakeTask(), other, { ...options, epochs: 2, resume: runId }), {
    problem: /trained on 16 examples .* but this data has 20/,
    fix: /same unlabeled data/,
    unchanged: [runDir]
  });
});

test('resume an unknown run id', async () => {
  await expectClearError(() => train(fakeTask(), data, { ...options, resume: 'no-such-run' }), {
    problem: /no-such-run/,
    fix: /openRunStore\(\)\.list\(\)|list/,
    unchanged: [root]
  });
});

test('a truncated checkpoint is refused as corrupt and left as it is', async () => {
  const copy = (await train(fakeTask(), data, options)).runId!;
  const checkpoint = openRunStore(root).get(copy).checkpointPath!;
  const file = path.join(checkpoint, 'tensors.bin');
  fs.truncateSync(file, fs.statSync(file).size - 8);
  await expectClearError(() => train(fakeTask(), data, { ...options, epochs: 2, resume: copy }), {
    problem:
      /is corrupt: tensors\.bin has \d+ bytes but the manifest records \d+ \(the file is truncated\)/,
    fix: /Resume from another run, or train again/,
    unchanged: [path.join(root, copy)]
  });
});

test('resume with a run store that is a file, not a folder (was: raw ENOTDIR)', async () => {
  const file = path.join(root, 'not-a-folder');
  fs.writeFileSync(file, 'x');
  await expectClearError(
    () => train(fakeTask(), data, { ...options, runStore: file, resume: 'latest' }),
    {
      problem: /the run store .*not-a-folder is a file, not a folder/,
      fix: /Point runStore at the folder/,
      unchanged: [root]
    }
  );
});

test('train into a run store that is a file (was: raw EEXIST from mkdir)', async () => {
  const file = path.join(root, 'runs-file');
  fs.writeFileSync(file, 'not runs');
  await expectClearError(() => train(fakeTask(), data, { ...options, runStore: file }), {
    problem: /The run store .*runs-file is a file, not a folder.*Nothing was changed/,
    fix: /Point runStore at a folder .*or move the file/,
    unchanged: [root]
  });
});

test('list or load from a run store that is a file (was: raw ENOTDIR from readdir)', async () => {
  const file = path.join(root, 'listed-file');
  fs.writeFileSync(file, 'x');
  const expected = {
    problem: /listed-file is a file, not a folder/,
    fix: /Point runStore at a folder/,
    unchanged: [root]
  };
  await expectClearError(() => openRunStore(file).list(), expected);
  await expectClearError(() => loadCheckpoint(fakeTask(), runId, file), expected);
});

test('a run store under a file (was: raw ENOTDIR)', async () => {
  const file = path.join(root, 'blocker');
  fs.writeFileSync(file, 'x');
  await expectClearError(
    () => train(fakeTask(), data, { ...options, runStore: path.join(file, 'runs') }),
    {
      problem:
        /Cannot write the run store at .*blocker\/runs: a part of the path is a file, not a folder \(ENOTDIR\)\. Nothing was trained or written/,
      fix: /Move the file that is in the way/,
      unchanged: [root]
    }
  );
});

test('resume with a run store that does not exist', async () => {
  await expectClearError(
    () =>
      train(fakeTask(), data, { ...options, runStore: path.join(root, 'missing'), resume: runId }),
    {
      problem: /cannot be read: a folder on the path does not exist \(ENOENT\)/,
      fix: /Point runStore/,
      unchanged: [root]
    }
  );
});
