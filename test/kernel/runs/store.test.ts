import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import type { ImageDataset } from '../../../kernel/src/data/dataset';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { loadCheckpoint, openRunStore } from '../../../kernel/src/runs/store';
import { simclr } from '../../../kernel/src/tasks/simclr';
import type { TrainOptions } from '../../../kernel/src/train/options';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';
import { fakeTask, weightsOf } from '../train/fake-task';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-runs-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function images(n: number, shape: [number, number, number] = [4, 4, 1]): ImageDataset {
  return {
    name: 'random',
    inputs: tf.randomUniform([n, ...shape], 0, 1, 'float32', 3) as Tensor4D
  };
}

const base: TrainOptions = { display: false, batchSize: 8, runStore: root };

/** Every file under a folder with its bytes, to prove an error changed nothing. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files[path.relative(dir, file)] = fs.readFileSync(file).toString('base64');
    }
  }
  return files;
}

function allFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).map(String);
}

test('a run writes config, environment, metrics, checkpoint and summary; list/get read them', async () => {
  const data = images(32);
  const result = await train(fakeTask([4, 4, 1], undefined, { named: true }), data, {
    ...base,
    epochs: 2,
    seed: 4,
    runName: 'first',
    gradientClipNorm: 10,
    monitors: [
      {
        name: 'peek',
        evaluate: () => {
          const [id] = fs
            .readdirSync(root)
            .filter(d => d.includes('fake'))
            .sort()
            .slice(-1);
          const summary = JSON.parse(fs.readFileSync(path.join(root, id, 'summary.json'), 'utf8'));
          return { running: summary.status === 'running' ? 1 : 0 };
        }
      }
    ]
  });
  assert.deepEqual(
    result.epochs.map(e => e.metrics?.running),
    [1, 1],
    'summary.json says running while it trains'
  );
  assert.match(result.runId!, /^\d{8}-\d{6}-fake-[0-9a-f]{4}$/);
  const dir = path.join(root, result.runId!);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  assert.equal(config.method, 'fake');
  assert.equal(config.name, 'first');
  assert.equal(config.seed, 4);
  assert.deepEqual(config.dataset, { name: 'random', size: 32, shape: [4, 4, 1] });
  assert.equal(config.options.optimizer, 'adam');
  assert.equal(config.options.gradientClipNorm, 10);
  assert.deepEqual(config.options.monitors, [{ name: 'peek', everyEpochs: 1 }]);
  assert.deepEqual(config.task, { method: 'fake' });
  const env = JSON.parse(fs.readFileSync(path.join(dir, 'environment.json'), 'utf8'));
  assert.equal(env.backend, 'tensorflow');
  assert.equal(env.node, process.version);
  assert.equal(env.packages['tfjs-core'], '4.22.0');
  assert.equal(env.packages.pretext, '0.1.0');
  const lines = fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 8);
  const first = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(first).sort(), ['epoch', 'gradNorm', 'loss', 'lr', 'step']);
  assert.equal(
    JSON.parse(lines[3]).running,
    1,
    'monitor metrics are logged on the epoch’s last step'
  );
  assert.equal(first.loss, result.history[0].loss);
  const summary = JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  assert.equal(summary.status, 'done');
  assert.equal(summary.steps, 8);
  assert.equal(summary.finalLoss, result.finalLoss);
  assert.ok(!allFiles(dir).some(f => f.includes('tmp')), `no temp files: ${allFiles(dir)}`);
  assert.deepEqual(allFiles(path.join(dir, 'checkpoints')).sort(), [
    'step-00000008',
    'step-00000008/manifest.json',
    'step-00000008/tensors.bin'
  ]);

  const store = openRunStore(root);
  const info = store.list().find(r => r.id === result.runId)!;
  assert.deepEqual(
    { ...info, created: undefined },
    {
      id: result.runId,
      name: 'first',
      method: 'fake',
      dataset: 'random',
      status: 'done',
      created: undefined,
      finalLoss: result.finalLoss,
      steps: 8,
      checkpointStep: 8
    }
  );
  const run = store.get(result.runId!);
  assert.equal(run.metrics().length, 8);
  assert.equal(run.summary?.status, 'done');
  assert.equal(run.checkpointPath, path.join(dir, 'checkpoints', 'step-00000008'));
  const task = fakeTask([4, 4, 1], undefined, { named: true, initSeed: 5 });
  loadCheckpoint(task, result.runId!, root);
  assert.deepEqual(weightsOf(task), weightsOf(result.task));
});

test('an unknown run id names the nearest ids', async () => {
  const result = await train(fakeTask(), images(16), { ...base, epochs: 1 });
  const typo = result.runId!.slice(0, -1) + 'z';
  assert.throws(
    () => openRunStore(root).get(typo),
    (e: unknown) =>
      e instanceof PretextError &&
      e.message.includes(`No run '${typo}'`) &&
      e.fix.includes(result.runId!)
  );
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-empty-'));
  const notAFolder = path.join(empty, 'file');
  fs.writeFileSync(notAFolder, '');
  await assert.rejects(
    train(fakeTask(), images(16), { ...base, runStore: notAFolder }),
    /The run store .*file is a file, not a folder[\s\S]*runStore: false/
  );
  fs.rmSync(notAFolder);
  assert.throws(() => openRunStore(empty).get('x'), /store is empty/);
  await assert.rejects(
    train(fakeTask(), images(16), { ...base, runStore: empty, resume: 'latest' }),
    /No fake run with a checkpoint/
  );
  fs.rmSync(empty, { recursive: true });
});

test('corrupt or mismatched checkpoints are refused, and the stored files stay as they were', async () => {
  const result = await train(fakeTask([4, 4, 1], undefined, { named: true }), images(16), {
    ...base,
    epochs: 1
  });
  const dir = path.join(root, result.runId!);
  const store = openRunStore(root);
  const checkpoint = store.get(result.runId!).checkpointPath!;
  const bin = path.join(checkpoint, 'tensors.bin');

  // Shapes that do not match.
  let before = snapshot(dir);
  const wide = fakeTask([8, 8, 1], undefined, { named: true });
  const wideWeights = weightsOf(wide);
  assert.throws(
    () => loadCheckpoint(wide, result.runId!, root),
    /'kernel' is \[16, 3\] in the checkpoint but ('kernel' is )?\[64, 3\] in the task[\s\S]*Fix: Build the task exactly/
  );
  assert.deepEqual(weightsOf(wide), wideWeights, 'nothing assigned on error');
  assert.deepEqual(snapshot(dir), before);

  // Names that do not match (a task without stateVariables names variables by tfjs name).
  assert.throws(
    () => loadCheckpoint(fakeTask(), result.runId!, root),
    /stored but not in the task: kernel, bias; in the task but not stored: dense_Dense\d+\/kernel/
  );
  assert.deepEqual(snapshot(dir), before);

  // A truncated tensors.bin.
  fs.truncateSync(bin, fs.statSync(bin).size - 4);
  before = snapshot(dir);
  assert.throws(
    () => loadCheckpoint(fakeTask([4, 4, 1], undefined, { named: true }), result.runId!, root),
    /is corrupt: tensors.bin has \d+ bytes but the manifest records \d+ \(the file is truncated\)/
  );
  await assert.rejects(
    train(fakeTask([4, 4, 1], undefined, { named: true }), images(16), {
      ...base,
      resume: result.runId!,
      epochs: 2
    }),
    /truncated/
  );
  assert.deepEqual(snapshot(dir), before, 'a failed resume leaves the run untouched');

  // Same size, flipped bytes.
  fs.writeFileSync(bin, Buffer.alloc(fs.statSync(bin).size + 4, 1));
  before = snapshot(dir);
  assert.throws(
    () => loadCheckpoint(fakeTask([4, 4, 1], undefined, { named: true }), result.runId!, root),
    /checksum of tensors.bin does not match/
  );
  assert.deepEqual(snapshot(dir), before);

  fs.writeFileSync(path.join(checkpoint, 'manifest.json'), '{"format": "pretext-chec');
  assert.throws(
    () => loadCheckpoint(fakeTask([4, 4, 1], undefined, { named: true }), result.runId!, root),
    /has no readable manifest.json/
  );
});

test('the default naming loads into the same task built again in the same kernel', async () => {
  const result = await train(fakeTask(), images(16), { ...base, epochs: 1 });
  const again = fakeTask([4, 4, 1], undefined, { initSeed: 3 });
  loadCheckpoint(again, result.runId!, root);
  assert.deepEqual(weightsOf(again), weightsOf(result.task));
});

const losses = (r: { history: { loss: number }[] }) => r.history.map(p => p.loss);

/**
 * Resumed runs continue bit for bit (weights, Adam moments and beta powers are stored exactly),
 * so the tolerance is 0; the brief allowed 1e-4.
 */
const TOLERANCE = 0;

function assertClose(actual: number[], expected: number[]) {
  assert.equal(actual.length, expected.length);
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]) <= TOLERANCE, `step ${i + 1}: ${a} vs ${expected[i]}`)
  );
}

test('2 epochs + resume 2 gives the same losses as 4 epochs straight', async () => {
  const data = images(32);
  const options: TrainOptions = { ...base, seed: 3, learningRate: 0.05 };
  const straight = await train(fakeTask([4, 4, 1], undefined, { named: true }), data, {
    ...options,
    epochs: 4
  });
  const first = await train(fakeTask([4, 4, 1], undefined, { named: true }), data, {
    ...options,
    epochs: 2
  });
  // A fresh task with other initial weights: everything must come from the checkpoint.
  const fresh = fakeTask([4, 4, 1], undefined, { named: true, initSeed: 7 });
  const resumed = await train(fresh, data, { ...options, epochs: 4, resume: first.runId! });
  assert.equal(resumed.runId, first.runId);
  assert.equal(resumed.status, 'done');
  assertClose(losses(resumed), losses(straight));
  assert.equal(resumed.epochs.length, 4);
  assertClose(
    resumed.epochs.map(e => e.meanLoss),
    straight.epochs.map(e => e.meanLoss)
  );
  const run = openRunStore(root).get(first.runId!);
  assert.deepEqual(
    run.metrics().map(r => r.step),
    Array.from({ length: 16 }, (_, i) => i + 1)
  );
  assert.equal(run.summary?.steps, 16);
  assert.equal(run.config.resumes?.length, 1);
});

test('an interrupt checkpoints mid-epoch; resume continues the same run exactly (adamw, cosine, clipping)', async () => {
  const data = images(32);
  const options: TrainOptions = {
    ...base,
    epochs: 4,
    seed: 11,
    optimizer: 'adamw',
    weightDecay: 0.05,
    gradientClipNorm: 0.5,
    learningRate: 0.05,
    schedule: { kind: 'cosine', warmupSteps: 3 },
    earlyStopping: { patience: 10 }
  };
  const straight = await train(fakeTask([4, 4, 1], undefined, { named: true }), data, options);
  const interrupted = await train(
    fakeTask([4, 4, 1], undefined, {
      named: true,
      onStep: step => {
        if (step === 6) {
          process.emit('SIGINT');
        }
      }
    }),
    data,
    options
  );
  assert.equal(interrupted.status, 'stopped');
  assert.equal(interrupted.history.length, 6);
  assert.match(interrupted.message!, /Interrupted at step 6[\s\S]*resume: '/);
  assert.equal(process.listenerCount('SIGINT'), 0);
  const store = openRunStore(root);
  const run = store.get(interrupted.runId!);
  assert.equal(run.summary?.status, 'stopped');
  assert.match(run.checkpointPath!, /step-00000006$/);

  const resumed = await train(fakeTask([4, 4, 1], undefined, { named: true, initSeed: 8 }), data, {
    display: false,
    runStore: root,
    resume: 'latest'
  });
  assert.equal(resumed.runId, interrupted.runId);
  assertClose(losses(resumed), losses(straight));
  assertClose(
    resumed.records.map(r => r.lr),
    straight.records.map(r => r.lr)
  );
  assertClose(weightsOf(resumed.task).flat(), weightsOf(straight.task).flat());
  assert.equal(openRunStore(root).get(resumed.runId!).summary?.status, 'done');

  await assert.rejects(
    train(fakeTask([4, 4, 1], undefined, { named: true }), data, {
      ...base,
      resume: resumed.runId!,
      batchSize: 16
    }),
    /trained with batchSize 8; resuming with 16/
  );
  await assert.rejects(
    train(fakeTask([4, 4, 1], undefined, { named: true }), images(40), {
      ...base,
      resume: resumed.runId!
    }),
    /trained on 32 examples[\s\S]*this data has 40/
  );
});

test('a SimCLR run resumed in the same kernel continues bit for bit (default state naming)', async () => {
  const data: ImageDataset = {
    name: 'digits-like',
    inputs: tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 1) as Tensor4D
  };
  const build = () =>
    simclr({ encoder: convEncoder({ inputShape: [28, 28, 1], seed: 1 }), seed: 2 });
  const options: TrainOptions = { ...base, batchSize: 32, epochs: 2 };
  const straight = await train(build(), data, options);
  const first = await train(build(), data, { ...options, epochs: 1 });
  // Rebuilt in the same process, so tfjs names its variables with other counters.
  const resumed = await train(build(), data, { ...options, resume: first.runId! });
  // Before Adam's beta powers were stored, step 4 differed in the 7th digit.
  assertClose(losses(resumed), losses(straight));
  tf.dispose(data.inputs);
});

test("a 'running' run shows as interrupted once its process is gone or its heartbeat is far too old", async () => {
  const result = await train(fakeTask(), images(16), { ...base, epochs: 1 });
  const file = path.join(root, result.runId!, 'summary.json');
  const stored = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(stored.pid, process.pid, 'the summary names the training process');
  assert.equal(stored.host, os.hostname());
  assert.ok(Date.parse(stored.heartbeat) > Date.now() - 60_000);
  const statusWith = (fields: Record<string, unknown>) => {
    fs.writeFileSync(file, JSON.stringify({ ...stored, status: 'running', ...fields }));
    return openRunStore(root).get(result.runId!).summary!;
  };
  const old = new Date(Date.now() - 20 * 60_000).toISOString();
  assert.equal(statusWith({}).status, 'running', 'this very process is alive');
  const gone = statusWith({ host: 'elsewhere', heartbeat: old });
  assert.equal(gone.status, 'interrupted');
  assert.match(gone.message!, /last heartbeat was 20 minutes ago[\s\S]*checkpoint is step 2/);
  assert.equal(
    statusWith({ host: 'elsewhere', heartbeat: new Date().toISOString() }).status,
    'running'
  );
  const legacy = { pid: undefined, host: undefined, heartbeat: undefined, updated: old };
  assert.equal(statusWith(legacy).status, 'interrupted', 'older summaries fall back to updated');
  const info = openRunStore(root)
    .list()
    .find(r => r.id === result.runId)!;
  assert.equal(info.status, 'interrupted');
  assert.equal(info.checkpointStep, 2);
  assert.match(info.message!, new RegExp(`resume: '${result.runId}'`));
});
