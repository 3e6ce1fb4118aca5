/**
 * Two tiny finished runs in a fresh run store (a 'baseline' of 2 epochs and a second run of 3
 * epochs at another learning rate), for tests that read, compare or export runs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import type { ImageDataset } from '../../../kernel/src/data/dataset';
import { train, type TrainResult } from '../../../kernel/src/train/train';
import { fakeTask } from '../train/fake-task';

export interface TwoRuns {
  root: string;
  first: TrainResult;
  second: TrainResult;
}

/** Registers before/after hooks that make the runs and delete the store; read it in tests. */
export function twoRunsFixture(prefix: string): TwoRuns {
  const runs = {} as TwoRuns;
  const data: ImageDataset = {
    name: 'random 4x4',
    inputs: tf.randomUniform([32, 4, 4, 1], 0, 1, 'float32', 3) as Tensor4D
  };
  before(async () => {
    runs.root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    const common = { batchSize: 8, display: false, runStore: runs.root } as const;
    runs.first = await train(fakeTask(), data, { ...common, epochs: 2, runName: 'baseline' });
    runs.second = await train(fakeTask(), data, { ...common, epochs: 3, learningRate: 0.01 });
  });
  after(() => fs.rmSync(runs.root, { recursive: true, force: true }));
  return runs;
}
