// A training process for interrupted-run.test.ts to kill: a tiny fake task with a run store,
// slowed by a callback so that the parent can kill it mid-run. Prints each checkpoint's step.
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import { train } from '../../../kernel/src/train/train';
import { fakeTask } from './fake-task';
import { CHILD_OPTIONS } from './interrupted-options';

async function main(): Promise<void> {
  const root = process.argv[2];
  const inputs = tf.randomUniform([32, 4, 4, 1], 0, 1, 'float32', 3) as Tensor4D;
  await train(
    fakeTask([4, 4, 1], undefined, { named: true }),
    { name: 'random', inputs },
    {
      ...CHILD_OPTIONS,
      runStore: root,
      epochs: 1000,
      callbacks: [
        {
          name: 'slow',
          onStepEnd: () => new Promise(resolve => setTimeout(resolve, 15)),
          onCheckpoint: checkpoint => {
            process.stdout.write(`checkpoint ${checkpoint.step}\n`);
          }
        }
      ]
    }
  );
}

void main();
