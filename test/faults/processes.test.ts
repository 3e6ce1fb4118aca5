/**
 * Real process faults: a training process is interrupted (SIGINT) or killed (SIGKILL) mid-epoch,
 * then a new process resumes the run. The record must tell the truth, a wrong resume must be
 * refused with the run folder kept byte-for-byte, and the right resume must finish the run.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { hashTree } from './hash';

const CHILD = path.join(__dirname, 'train-child.ts');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-faults-proc-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };
const EPOCHS = '6';

/** Starts a training child and sends `signal` once it reports step `atStep`. */
function trainUntilSignal(store: string, signal: NodeJS.Signals, atStep: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, store, EPOCHS], { env });
    let out = '';
    let sent = false;
    child.stdout.on('data', chunk => {
      out += String(chunk);
      const steps = [...out.matchAll(/^step (\d+)$/gm)].map(m => Number(m[1]));
      if (!sent && steps.some(s => s >= atStep)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', () =>
      sent ? resolve(out) : reject(new Error(`never reached step ${atStep}: ${out}`))
    );
  });
}

function resumeInNewProcess(store: string, runId: string, batchSize = '4') {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', CHILD, store, EPOCHS, runId, batchSize],
    {
      env,
      encoding: 'utf8'
    }
  );
  const last = result.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as { status?: string; steps?: number; error?: string; message?: string };
}

const onlyRun = (store: string) => {
  const runs = fs.readdirSync(store).filter(n => !n.startsWith('.'));
  assert.equal(runs.length, 1, runs.join(', '));
  return runs[0];
};
const summaryOf = (store: string, id: string) =>
  JSON.parse(fs.readFileSync(path.join(store, id, 'summary.json'), 'utf8')) as {
    status: string;
    steps: number;
  };
const tempFiles = (dir: string): string[] =>
  fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(f => /(^|\/)\.tmp-|\.tmp$/.test(f));

test('SIGINT mid-epoch: the run is stopped with an intact checkpoint; a new process finishes it', async () => {
  const store = path.join(root, 'sigint');
  await trainUntilSignal(store, 'SIGINT', 12);
  const id = onlyRun(store);
  const stopped = summaryOf(store, id);
  assert.equal(stopped.status, 'stopped');
  assert.ok(stopped.steps >= 12 && stopped.steps < 48, `stopped at step ${stopped.steps}`);
  const resumed = resumeInNewProcess(store, id);
  assert.deepEqual([resumed.status, resumed.steps], ['done', 48]);
  assert.deepEqual(tempFiles(path.join(store, id)), []);
});

test('SIGKILL mid-epoch: a wrong resume is refused and changes nothing; the right one finishes', async () => {
  const store = path.join(root, 'sigkill');
  await trainUntilSignal(store, 'SIGKILL', 20);
  const id = onlyRun(store);
  const before = hashTree(path.join(store, id));
  const wrong = resumeInNewProcess(store, id, '8');
  assert.equal(wrong.error, 'PretextError');
  assert.match(
    wrong.message!,
    /trained with batchSize 4; resuming with 8[\s\S]*Fix: Leave batchSize out/
  );
  assert.equal(hashTree(path.join(store, id)), before, 'the refused resume wrote nothing');
  const resumed = resumeInNewProcess(store, id);
  assert.deepEqual([resumed.status, resumed.steps], ['done', 48]);
  assert.equal(summaryOf(store, id).status, 'done');
});

test('two processes training into one run store: two whole runs, nothing mixed or left over', async () => {
  const store = path.join(root, 'shared');
  const runOne = () =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, store, '2'], { env });
      let out = '';
      child.stdout.on('data', chunk => (out += String(chunk)));
      child.on('error', reject);
      child.on('close', () => resolve(out.trim().split('\n').at(-1) ?? ''));
    });
  const results = (await Promise.all([runOne(), runOne()])).map(
    line => JSON.parse(line) as { status: string; steps: number; runId: string }
  );
  assert.deepEqual(
    results.map(r => [r.status, r.steps]),
    [
      ['done', 16],
      ['done', 16]
    ]
  );
  assert.notEqual(results[0].runId, results[1].runId);
  for (const { runId } of results) {
    assert.equal(summaryOf(store, runId).status, 'done');
    const metrics = fs
      .readFileSync(path.join(store, runId, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    assert.deepEqual(
      metrics.map(line => (JSON.parse(line) as { step: number }).step),
      Array.from({ length: 16 }, (_, i) => i + 1),
      'each run has its own, complete metrics'
    );
    assert.deepEqual(tempFiles(path.join(store, runId)), []);
  }
});
