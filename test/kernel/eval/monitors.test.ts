import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import type { ImageDataset } from '../../../kernel/src/data/dataset';
import { collapseMonitor, knnMonitor } from '../../../kernel/src/eval/monitors';
import { session } from '../../../kernel/src/guide/session';
import { train } from '../../../kernel/src/train/train';
import { fakeTask } from '../train/fake-task';

function labeled(n: number, seed: number): ImageDataset {
  // Class = which half of the image is bright: linearly separable, so kNN on raw-ish features works.
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const images = tf.tidy(() => {
    const noise = tf.randomUniform([n, 4, 4, 1], 0, 0.2, 'float32', seed);
    const left = tf.concat([tf.ones([1, 4, 2, 1]), tf.zeros([1, 4, 2, 1])], 2);
    const masks = tf.stack(
      Array.from(labels, y => (y === 0 ? left : tf.reverse(left, 2))).map(t => t.squeeze([0]))
    );
    return tf.add(noise, masks) as Tensor4D;
  });
  return { name: `toy${seed}`, inputs: images, labels };
}

test('kNN and collapse monitors feed the dashboard metrics, the run record and the guide', async () => {
  session.reset();
  const bank = labeled(40, 1);
  const testSet = labeled(20, 2);
  const pool: ImageDataset = {
    name: 'pool',
    inputs: tf.randomUniform([32, 4, 4, 1], 0, 1, 'float32', 3) as Tensor4D
  };
  const result = await train(fakeTask(), pool, {
    epochs: 3,
    batchSize: 8,
    display: false,
    runStore: false,
    monitors: [
      knnMonitor(bank, testSet, { k: 5 }),
      collapseMonitor(testSet.inputs, { everyEpochs: 2 })
    ]
  });
  assert.equal(result.status, 'done');
  const knn = result.epochs.map(e => e.metrics?.knn);
  assert.ok(
    knn.every(v => typeof v === 'number' && v >= 0 && v <= 1),
    `knn per epoch ${knn}`
  );
  assert.ok(knn[2]! > 0.8, `separable halves should be found by kNN, got ${knn[2]}`);
  assert.equal(
    result.epochs[0].metrics?.rankRatio,
    undefined,
    'collapse monitor runs every 2nd epoch'
  );
  assert.ok((result.epochs[1].metrics?.rankRatio ?? 0) > 0);
  const recorded = session.snapshot().runs.at(-1)!;
  assert.equal(recorded.knnHistory!.length, 3);
  assert.equal(recorded.rankRatio, result.epochs[1].metrics?.rankRatio);
});

test('monitors reject unlabeled sets and unknown options', () => {
  const pool: ImageDataset = { name: 'pool', inputs: tf.zeros([4, 4, 4, 1]) as Tensor4D };
  assert.throws(() => knnMonitor(pool, pool), /needs two labeled sets/);
  assert.throws(
    () => knnMonitor(labeled(4, 1), labeled(4, 2), { every: 2 } as never),
    /Unknown option 'every'/
  );
  assert.throws(
    () => collapseMonitor(tf.zeros([1, 4, 4, 1]) as Tensor4D),
    /at least 2 held-out examples/
  );
});
