/**
 * A tiny real training run through train() with the given callbacks, for the tracking tests:
 * the fake task on random 4x4 images, optionally a monitor (values on each epoch's last step)
 * and a hook awaited after each step (e.g. to kill the tracking server mid-run).
 */
import * as path from 'node:path';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import { openRunStore, type MetricRecord } from '../../../kernel/src/runs/store';
import type { PretextTask } from '../../../kernel/src/tasks/task';
import type { TrainCallback } from '../../../kernel/src/train/callbacks/callback';
import { train } from '../../../kernel/src/train/train';
import { fakeTask } from '../train/fake-task';

export interface TrainTrackedOptions {
  root: string;
  callbacks: TrainCallback[];
  epochs: number;
  stepsPerEpoch: number;
  runName?: string;
  /** Awaited after step `step - 1` ends, i.e. before step `step` (from 2). */
  beforeStep?: (step: number) => Promise<void> | void;
  /** A 'knn' monitor of epoch / 10 every epoch. */
  monitor?: boolean;
}

export async function trainTracked(options: TrainTrackedOptions): Promise<{
  runId: string;
  runDir: string;
  records: MetricRecord[];
  task: PretextTask;
}> {
  const batchSize = 4;
  const inputs = tf.randomUniform(
    [batchSize * options.stepsPerEpoch, 4, 4, 1],
    0,
    1,
    'float32',
    7
  ) as Tensor4D;
  const hook: TrainCallback = {
    name: 'test-hook',
    onStepEnd: async record => {
      await options.beforeStep?.(record.step + 1);
    }
  };
  try {
    const result = await train(
      fakeTask(),
      { name: 'random 4x4', inputs },
      {
        epochs: options.epochs,
        batchSize,
        learningRate: 0.01,
        display: false,
        runStore: options.root,
        ...(options.runName ? { runName: options.runName } : {}),
        monitors: options.monitor
          ? [{ name: 'knn', evaluate: ctx => ({ knn: ctx.epoch / 10 }) }]
          : [],
        callbacks: [...options.callbacks, hook]
      }
    );
    const runId = result.runId!;
    return {
      runId,
      runDir: path.join(options.root, runId),
      records: openRunStore(options.root).get(runId).metrics(),
      task: result.task
    };
  } finally {
    inputs.dispose();
  }
}
