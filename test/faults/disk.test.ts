/**
 * Real disk faults on small tmpfs mounts (root only; skipped with the reason where mounting is
 * refused): a disk that fills up during training, and a run store that became read-only.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf, type Tensor4D } from '../../kernel/src/backend/tf';
import type { Dataset } from '../../kernel/src/data/dataset';
import { readCheckpoint } from '../../kernel/src/runs/checkpoint';
import { openRunStore } from '../../kernel/src/runs/store';
import { train } from '../../kernel/src/train/train';
import { fakeTask } from '../kernel/train/fake-task';
import { expectClearError } from './expect';
import { hashTree } from './hash';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-faults-disk-'));
const mounts: string[] = [];

/** A tmpfs of `size` at a new folder, or the reason it could not be mounted. */
function tmpfs(name: string, size: string): { dir?: string; reason?: string } {
  const dir = path.join(base, name);
  fs.mkdirSync(dir);
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], {
    encoding: 'utf8'
  });
  if (result.status !== 0) {
    return { reason: `mount refused: ${(result.stderr || String(result.error)).trim()}` };
  }
  mounts.push(dir);
  return { dir };
}
const remount = (dir: string, options: string) =>
  assert.equal(
    spawnSync('mount', ['-o', `remount,${options}`, dir]).status,
    0,
    `remount ${options}`
  );

after(() => {
  for (const dir of mounts) {
    spawnSync('umount', [dir]);
  }
  fs.rmSync(base, { recursive: true, force: true });
});

// 32x32 inputs: each checkpoint (weights + Adam moments) is ~37 kB, two do not fit in 64 kB.
const data: Dataset = {
  name: 'big rows',
  inputs: tf.randomUniform([16, 32, 32, 1], 0, 1, 'float32', 1) as Tensor4D
};
const options = { display: false, epochs: 3, batchSize: 8, seed: 1 } as const;
const tempFiles = (dir: string): string[] =>
  fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter(f => /\.tmp/.test(f));

test('disk full mid-run: a clear error, the previous checkpoint intact, no temp files; resume after freeing space', async t => {
  const { dir, reason } = tmpfs('full', '64k');
  if (!dir) {
    return t.skip(reason);
  }
  const store = path.join(dir, 'runs');
  const error = await expectClearError(
    () => train(fakeTask([32, 32, 1]), data, { ...options, runStore: store }),
    {
      problem:
        /Could not write the checkpoint of step \d+ .*the disk is full \(ENOSPC\)\. The previous checkpoint \(step-\d+\) is intact/,
      fix: /Free space on the disk .* then resume the run with train\(task, data, \{ resume: '/
    }
  );
  const [run] = openRunStore(store).list();
  assert.equal(run.status, 'failed');
  assert.deepEqual(tempFiles(store), [], 'no temp files left');
  const runDir = path.join(store, run.id);
  const intact = readCheckpoint(openRunStore(store).get(run.id).checkpointPath!);
  assert.ok(intact.manifest.step > 0);
  remount(dir, 'size=1m');
  const resumed = await train(fakeTask([32, 32, 1]), data, {
    ...options,
    runStore: store,
    resume: run.id
  });
  assert.equal(resumed.status, 'done', error.message);
  assert.equal(resumed.history.length, 6);
  assert.deepEqual(tempFiles(runDir), []);
});

test('a read-only run store: resume is refused with a clear error and nothing changes', async t => {
  const { dir, reason } = tmpfs('readonly', '1m');
  if (!dir) {
    return t.skip(reason);
  }
  const store = path.join(dir, 'runs');
  const first = await train(fakeTask([32, 32, 1]), data, {
    ...options,
    epochs: 1,
    runStore: store
  });
  remount(dir, 'ro');
  const before = hashTree(store);
  await expectClearError(
    () => train(fakeTask([32, 32, 1]), data, { ...options, runStore: store, resume: first.runId! }),
    { problem: /read-only|EROFS/, fix: /writable/, unchanged: [store] }
  );
  assert.equal(hashTree(store), before);
});
