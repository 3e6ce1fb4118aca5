/**
 * A training process whose main thread is held by a long synchronous job (as a slow monitor
 * would hold it) after its first epoch: prints "blocking" and busy-waits `block` ms, then trains
 * on and prints its result as one JSON line.
 * Usage: node --import tsx busy-child.ts <run store> <block ms>
 */
import { tf, type Tensor4D } from '../../kernel/src/backend/tf';
import { train } from '../../kernel/src/train/train';
import { fakeTask } from '../kernel/train/fake-task';

const [root, block] = process.argv.slice(2);
const data = {
  name: 'busy data',
  inputs: tf.randomUniform([32, 4, 4, 1], 0, 1, 'float32', 9) as Tensor4D
};
train(fakeTask(), data, {
  display: false,
  runStore: root,
  epochs: 2,
  batchSize: 8,
  callbacks: [
    {
      name: 'slow monitor',
      onEpochEnd: epoch => {
        if (epoch.epoch !== 1) {
          return;
        }
        process.stdout.write('blocking\n');
        const until = Date.now() + Number(block);
        while (Date.now() < until) {
          // Busy: no timers, no I/O, no event loop on this thread.
        }
      }
    }
  ]
}).then(
  result => process.stdout.write(`${JSON.stringify({ status: result.status })}\n`),
  (error: Error) => {
    process.stdout.write(`${JSON.stringify({ error: error.message })}\n`);
    process.exitCode = 3;
  }
);
