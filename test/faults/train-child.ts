/**
 * A training process for the process-fault cases: trains a small task into a run store and
 * reports each step on stdout ("step N"), then its result as one JSON line.
 * Usage: node --import tsx train-child.ts <run store> <epochs> [resume id | 'latest'] [batch size]
 */
import { tf, type Tensor4D } from '../../kernel/src/backend/tf';
import { train } from '../../kernel/src/train/train';
import { fakeTask } from '../kernel/train/fake-task';

const [root, epochs, resume, batchSize] = process.argv.slice(2);
const pause = new Int32Array(new SharedArrayBuffer(4));
const task = fakeTask([4, 4, 1], undefined, {
  onStep: step => {
    process.stdout.write(`step ${step}\n`);
    // Slow enough that a signal lands mid-epoch, not after the run.
    Atomics.wait(pause, 0, 0, 15);
  }
});
const data = {
  name: 'child data',
  inputs: tf.randomUniform([32, 4, 4, 1], 0, 1, 'float32', 9) as Tensor4D
};
train(task, data, {
  display: false,
  runStore: root,
  epochs: Number(epochs),
  batchSize: Number(batchSize ?? 4),
  seed: 4,
  ...(resume && resume !== '-' ? { resume } : {})
}).then(
  result => {
    process.stdout.write(
      JSON.stringify({ status: result.status, steps: result.history.length, runId: result.runId }) +
        '\n'
    );
  },
  (error: Error) => {
    process.stdout.write(JSON.stringify({ error: error.name, message: error.message }) + '\n');
    process.exitCode = 3;
  }
);
