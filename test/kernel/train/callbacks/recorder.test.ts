import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import type { MetricRecord } from '../../../../kernel/src/runs/store';
import type { TrainContext } from '../../../../kernel/src/train/callbacks/callback';
import { RunRecorder } from '../../../../kernel/src/train/callbacks/recorder';
import { resolveTrainOptions } from '../../../../kernel/src/train/options';
import type { EpochSummary } from '../../../../kernel/src/train/result';
import { fakeTask } from '../fake-task';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-recorder-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the recorder refreshes the heartbeat at most once per interval; records go out each epoch', async () => {
  const records: MetricRecord[] = [];
  const epochs: EpochSummary[] = [];
  const ctx: TrainContext = {
    task: fakeTask(),
    options: resolveTrainOptions({ runStore: dir }),
    runId: 'r',
    runDir: dir,
    dataset: { name: 'random', size: 16, shape: [4, 4, 1] },
    stepsPerEpoch: 100,
    totalSteps: 100,
    get step() {
      return records.length;
    },
    elapsedSeconds: 1,
    records,
    epochs,
    requestStop: () => undefined
  };
  const summary = () => JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8'));
  const lines = () =>
    fs.existsSync(path.join(dir, 'metrics.jsonl'))
      ? fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length
      : 0;
  const interval = 300;
  const recorder = new RunRecorder(dir, undefined, interval);
  recorder.onTrainBegin(ctx);
  const first = summary();
  assert.deepEqual(
    { status: first.status, steps: first.steps, pid: first.pid, host: first.host },
    { status: 'running', steps: 0, pid: process.pid, host: os.hostname() }
  );
  const step = () => {
    const record = { step: records.length + 1, epoch: 1, loss: 1 / (records.length + 1), lr: 0.1 };
    records.push(record);
    recorder.onStepEnd(record, ctx);
  };
  const started = Date.now();
  for (let i = 0; i < 50; i++) {
    step();
  }
  epochs.push({ epoch: 1, meanLoss: 0.5, seconds: 1 });
  recorder.onEpochEnd(epochs[0], ctx);
  if (Date.now() - started < interval) {
    assert.equal(summary().heartbeat, first.heartbeat, 'no summary write per step or epoch');
    assert.equal(summary().steps, 0);
  }
  assert.equal(lines(), 50, "the epoch's records are on disk");
  await new Promise(resolve => setTimeout(resolve, interval + 50));
  step();
  assert.equal(summary().steps, 51, 'the next step after the interval beats');
  assert.equal(summary().finalLoss, 0.5);
  assert.ok(Date.parse(summary().heartbeat) > Date.parse(first.heartbeat));
  assert.equal(lines(), 51);
  const end = { status: 'done' as const };
  recorder.onTrainEnd(end, ctx);
  assert.equal(summary().status, 'done');
  assert.deepEqual((end as { summary?: unknown }).summary, summary());
});
