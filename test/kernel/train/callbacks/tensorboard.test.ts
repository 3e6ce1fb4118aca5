import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf, type Tensor4D } from '../../../../kernel/src/backend/tf';
import { tensorboardCallback } from '../../../../kernel/src/train/callbacks/tensorboard';
import { trackingCallbacks } from '../../../../kernel/src/train/callbacks/tracking';
import { train } from '../../../../kernel/src/train/train';
import { fakeTask } from '../fake-task';
import { withTrackingEnv, writeSettings } from '../../tracking/tracking-env';

const PYTHON = path.resolve(__dirname, '..', '..', '..', '..', '.venv', 'bin', 'python');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-tb-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** The scalars TensorBoard itself reads from a log folder: { tag: [[step, value], ...] }. */
function readScalars(logdir: string): Record<string, [number, number][]> {
  const script = [
    'import json, sys',
    'from tensorboard.backend.event_processing.event_accumulator import EventAccumulator',
    'acc = EventAccumulator(sys.argv[1]); acc.Reload()',
    'out = {}',
    "for tag in acc.Tags()['tensors']:",
    '    out[tag] = [[e.step, float(e.tensor_proto.float_val[0])] for e in acc.Tensors(tag)]',
    "for tag in acc.Tags()['scalars']:",
    '    out[tag] = [[e.step, e.value] for e in acc.Scalars(tag)]',
    'print(json.dumps(out))'
  ].join('\n');
  const result = spawnSync(PYTHON, ['-c', script, logdir], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, [number, number][]>;
}

test('each run writes TensorBoard event files that TensorBoard reads back (on by default)', async () => {
  const inputs = tf.randomUniform([16, 4, 4, 1], 0, 1, 'float32', 5) as Tensor4D;
  const result = await train(
    fakeTask(),
    { name: 'random 4x4', inputs },
    {
      epochs: 2,
      batchSize: 4,
      display: false,
      runStore: root,
      monitors: [{ name: 'probe', evaluate: ctx => ({ probe: ctx.epoch / 10 }) }]
    }
  );
  inputs.dispose();
  const runDir = path.join(root, result.runId!);
  assert.ok(fs.readdirSync(runDir).some(f => f.startsWith('events.out.tfevents')));
  const scalars = readScalars(runDir);
  const loss = scalars.loss;
  assert.deepEqual(
    loss.map(([step]) => step),
    [1, 2, 3, 4, 5, 6, 7, 8]
  );
  for (const [i, [, value]] of loss.entries()) {
    assert.ok(Math.abs(value - result.history[i].loss) < 1e-5, `step ${i + 1}`);
  }
  assert.equal(scalars.lr.length, 8);
  assert.deepEqual(scalars['monitors/probe'], [
    [4, 0.10000000149011612],
    [8, 0.20000000298023224]
  ]);
  assert.equal(scalars['epoch/mean_loss'].length, 2);
});

test('tensorboard: false writes no event files; an explicit logdir gets them; no tensors leak', async () => {
  const inputs = tf.randomUniform([16, 4, 4, 1], 0, 1, 'float32', 6) as Tensor4D;
  const logdir = fs.mkdtempSync(path.join(root, 'tb-'));
  const task = fakeTask();
  const before = tf.memory().numTensors;
  const result = await train(
    task,
    { name: 'random 4x4', inputs },
    {
      epochs: 1,
      batchSize: 4,
      display: false,
      runStore: root,
      tensorboard: false,
      callbacks: [tensorboardCallback({ logdir })]
    }
  );
  assert.equal(tf.memory().numTensors, before, 'the writer is closed and freed at the end');
  inputs.dispose();
  const runDir = path.join(root, result.runId!);
  assert.ok(!fs.readdirSync(runDir).some(f => f.startsWith('events.out.tfevents')));
  assert.equal(readScalars(logdir).loss.length, 4);
});

test('trackingCallbacks: MLflow only when a tracking URI is set, TensorBoard by default', async () => {
  await withTrackingEnv({}, () => {
    assert.deepEqual(
      trackingCallbacks().map(c => c.name),
      ['tensorboard']
    );
    assert.deepEqual(trackingCallbacks({ tensorboard: false }), []);
    process.env.MLFLOW_TRACKING_URI = 'http://127.0.0.1:1';
    assert.deepEqual(
      trackingCallbacks().map(c => c.name),
      ['mlflow', 'tensorboard']
    );
    assert.deepEqual(
      trackingCallbacks({ tracking: false, tensorboard: false }).map(c => c.name),
      []
    );
    assert.throws(() => trackingCallbacks({ tracking: 'sqlite:///x.db' }), /not an http\(s\)/);
    assert.throws(() => trackingCallbacks({ tensorbord: true } as never), /Unknown option/);
  });
});

test('trackingCallbacks: the JupyterLab setting alone turns MLflow on', async () => {
  await withTrackingEnv({}, settings => {
    writeSettings(
      settings,
      '{\n  // from Settings > Pretext\n  "trackingUri": "http://127.0.0.1:1"\n}'
    );
    assert.deepEqual(
      trackingCallbacks().map(c => c.name),
      ['mlflow', 'tensorboard']
    );
  });
});
