import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor } from '../../../kernel/src/backend/tf';
import type { DataSource } from '../../../kernel/src/data/source';
import { train } from '../../../kernel/src/train/train';
import { fakeTask } from './fake-task';

const quiet = { display: false, runStore: false as const, epochs: 2, batchSize: 8, seed: 4 };

/** A source that builds each batch on demand, asynchronously, as a file-backed one would. */
function onDemand(values: Tensor, reads: number[][]): DataSource {
  return {
    name: 'on demand',
    size: values.shape[0],
    exampleShape: values.shape.slice(1),
    dtype: 'float32',
    labeled: false,
    read: async indices => {
      reads.push([...indices]);
      await new Promise(resolve => setImmediate(resolve));
      return tf.tidy(() => tf.gather(values, tf.tensor1d(indices, 'int32')));
    }
  };
}

test('training from a source matches training from the same data in memory, step for step', async () => {
  const values = tf.randomUniform([32, 4, 4, 1], 0, 1, 'float32', 9);
  const reads: number[][] = [];
  const fromMemory = await train(fakeTask(), { name: 'memory', inputs: values }, quiet);
  const before = tf.memory().numTensors;
  const fromSource = await train(fakeTask(), onDemand(values, reads), quiet);
  assert.deepEqual(
    fromSource.history.map(p => p.loss),
    fromMemory.history.map(p => p.loss)
  );
  // Batches are read by position, 8 at a time, each example once per epoch.
  assert.equal(reads.length, 2 * 4);
  assert.deepEqual(
    reads
      .slice(0, 4)
      .flat()
      .sort((a, b) => a - b),
    [...Array(32).keys()]
  );
  // The engine disposes every batch it read.
  assert.ok(tf.memory().numTensors <= before + 2, `${tf.memory().numTensors} vs ${before}`);
  values.dispose();
});

test('a labeled or mis-shaped source is refused before any read', async () => {
  const values = tf.zeros([16, 4, 4, 1]);
  const reads: number[][] = [];
  await assert.rejects(
    train(fakeTask(), { ...onDemand(values, reads), labeled: true }, quiet),
    /must not see labels/
  );
  await assert.rejects(
    train(fakeTask(), { ...onDemand(values, reads), exampleShape: [16] }, quiet),
    /are 16 but the encoder expects 4x4x1/
  );
  assert.equal(reads.length, 0);
  values.dispose();
});
