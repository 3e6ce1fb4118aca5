// Run-store files written by the kernel itself, for the extension's tests: a tiny run of the
// engine's fake task (test/kernel/train/fake-task.ts) through train() into a temp run store,
// read back as text. Once per test process; the folder is removed when the process exits.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tf, type Tensor4D } from '../../kernel/src/backend/tf';
import type { PretextTask } from '../../kernel/src/tasks/task';
import { train } from '../../kernel/src/train/train';
import { fakeTask } from '../kernel/train/fake-task';

export interface IKernelRunFiles {
  /** The run folder (under a temp store) and its id. */
  dir: string;
  id: string;
  config: string;
  /** summary.json at the end (status 'done'). */
  summary: string;
  /** summary.json as it was during the first step: 'running', with pid, host and heartbeat. */
  runningSummary: string;
  metrics: string;
  /** The latest checkpoint's manifest.json, when the run wrote one. */
  manifest: string | undefined;
}

let pending: Promise<IKernelRunFiles> | undefined;

async function produce(): Promise<IKernelRunFiles> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-ext-fixtures-'));
  process.once('exit', () => fs.rmSync(root, { recursive: true, force: true }));
  // Named like a real method and dataset so the runs browser's texts read as they would; the
  // extension shows these names and never looks inside the task.
  const task: PretextTask = { ...fakeTask(), method: 'simclr' };
  const inputs = tf.randomUniform([1024, 4, 4, 1], 0, 1, 'float32', 3) as Tensor4D;
  let runningSummary: string | undefined;
  try {
    // 1024 examples in batches of 128 for 3 epochs: 24 steps.
    const result = await train(
      task,
      { name: 'mnist', inputs },
      {
        epochs: 3,
        batchSize: 128,
        display: false,
        runStore: root,
        callbacks: [
          {
            name: 'fixture snapshot',
            onStepEnd: (_record, ctx) => {
              runningSummary ??= fs.readFileSync(path.join(ctx.runDir!, 'summary.json'), 'utf8');
            }
          }
        ]
      }
    );
    const dir = path.join(root, result.runId!);
    const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
    const checkpoints = path.join(dir, 'checkpoints');
    const latest = fs.existsSync(checkpoints)
      ? fs
          .readdirSync(checkpoints)
          .filter(name => /^step-\d+$/.test(name))
          .sort()
          .at(-1)
      : undefined;
    return {
      dir,
      id: result.runId!,
      config: read('config.json'),
      summary: read('summary.json'),
      runningSummary: runningSummary!,
      metrics: read('metrics.jsonl'),
      manifest: latest
        ? fs.readFileSync(path.join(checkpoints, latest, 'manifest.json'), 'utf8')
        : undefined
    };
  } finally {
    inputs.dispose();
    task.dispose();
  }
}

/** The kernel-written files of one tiny run (trained on the first call). */
export function kernelRunFiles(): Promise<IKernelRunFiles> {
  pending ??= produce();
  return pending;
}
