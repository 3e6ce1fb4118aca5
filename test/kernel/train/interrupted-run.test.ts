import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import { openRunStore } from '../../../kernel/src/runs/store';
import { train } from '../../../kernel/src/train/train';
import { fakeTask, weightsOf } from './fake-task';
import { CHILD_OPTIONS } from './interrupted-options';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-killed-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** Starts train-child.ts and kills it with SIGKILL once it has written checkpoint `atStep`. */
async function trainAndKill(atStep: number): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'train-child.ts'), root],
    { env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' }, stdio: ['ignore', 'pipe', 'inherit'] }
  );
  const exited = new Promise<NodeJS.Signals | null>(resolve =>
    child.on('exit', (_code, signal) => resolve(signal))
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`checkpoint ${atStep}\n`)) {
        resolve();
      }
    });
    child.on('exit', code =>
      reject(new Error(`the child exited (${code}) before step ${atStep}: ${output}`))
    );
  });
  // Mid-epoch: two more (slowed) steps after the checkpoint, then a kill it cannot catch.
  await new Promise(resolve => setTimeout(resolve, 40));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  return child.pid!;
}

test('a run whose process was killed lists as interrupted with its checkpoint, and resumes exactly', async () => {
  const pid = await trainAndKill(8);
  const store = openRunStore(root);
  const [info] = store.list();
  assert.equal(info.status, 'interrupted');
  assert.ok(info.checkpointStep! >= 8, `checkpoint step ${info.checkpointStep}`);
  assert.match(
    info.message!,
    new RegExp(
      `process \\(pid ${pid} on ${os.hostname()}\\) is gone[\\s\\S]*last checkpoint is step ${info.checkpointStep}[\\s\\S]*resume: '${info.id}'`
    )
  );
  const run = store.get(info.id);
  assert.equal(run.summary?.status, 'interrupted');
  assert.equal(run.summary?.pid, pid);
  assert.ok(run.metrics().length >= info.checkpointStep!, 'the log reaches the checkpoint');

  // Resume in this process, to a total of 4 epochs past the checkpoint's.
  const inputs = tf.randomUniform([32, 4, 4, 1], 0, 1, 'float32', 3) as Tensor4D;
  const data = { name: 'random', inputs };
  const epochs = info.checkpointStep! / 4 + 2;
  const resumed = await train(fakeTask([4, 4, 1], undefined, { named: true, initSeed: 9 }), data, {
    display: false,
    runStore: root,
    resume: info.id,
    epochs
  });
  assert.equal(resumed.status, 'done');
  const straight = await train(fakeTask([4, 4, 1], undefined, { named: true }), data, {
    ...CHILD_OPTIONS,
    runStore: false,
    epochs
  });
  const close = (a: number[], b: number[]) =>
    a.length === b.length &&
    a.every((x, i) => Math.abs(x - b[i]) <= 1e-6 * Math.max(1, Math.abs(b[i])));
  assert.ok(
    close(
      resumed.records.map(r => r.loss),
      straight.records.map(r => r.loss)
    ),
    'same losses as a run never killed'
  );
  assert.ok(close(weightsOf(resumed.task).flat(), weightsOf(straight.task).flat()));
  const after = openRunStore(root).list()[0];
  assert.equal(after.status, 'done');
  assert.equal(after.steps, epochs * 4);
  tf.dispose(inputs);
});
