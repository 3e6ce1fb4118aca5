import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor2D } from '../../../kernel/src/backend/tf';
import { loadTable, vegaData } from '../../../kernel/src/loaders/tables/table';
import { mlpEncoder } from '../../../kernel/src/models/mlp-encoder';
import { createTask } from '../../../kernel/src/tasks/registry';
import { vime } from '../../../kernel/src/tasks/vime';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('VIME: Adam steps on the penguins table lower both losses, no NaN, flat tensor count', () => {
  const data = loadTable(vegaData('penguins.json'), { label: 'Species' });
  const encoder = mlpEncoder({ inputDim: data.inputs.shape[1], hidden: [64, 64], seed: 0 });
  const task = vime({ encoder, groups: data.schema.groups, seed: 0 });
  assert.equal(task.alpha, 2);
  assert.equal(task.corruption.rate, 0.3);
  const batch = tf.slice(data.inputs, [0, 0], [128, -1]) as Tensor2D;
  const optimizer = tf.train.adam(3e-3);
  const variables = task.trainableVariables();
  assert.equal(variables.length, 4 + 2 + 2, 'encoder + mask head + feature head');
  const losses: number[] = [];
  const counts: number[] = [];
  for (let step = 0; step < 40; step++) {
    const cost = optimizer.minimize(() => task.loss(batch, step), true, variables)!;
    losses.push(cost.dataSync()[0]);
    cost.dispose();
    counts.push(tf.memory().numTensors);
  }
  assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
  const first = mean(losses.slice(0, 3));
  const last = mean(losses.slice(-3));
  assert.ok(last < 0.7 * first, `loss should fall: ${first.toFixed(3)} -> ${last.toFixed(3)}`);
  assert.equal(counts[35], counts[5], `tensor counts ${counts}`);
  optimizer.dispose();
  task.dispose();
  encoder.dispose();
  tf.dispose([batch, data.inputs]);
});

test('VIME trains through the engine by name, repeats with a seed, and rejects bad settings', async () => {
  const data = loadTable(vegaData('penguins.json'), { label: 'Species' });
  const encoder = mlpEncoder({ inputDim: data.inputs.shape[1], hidden: [32], seed: 2 });
  const task = createTask('vime', { encoder, groups: data.schema.groups, alpha: 1 });
  const value = (seed: number) => tf.tidy(() => task.loss(data.inputs, seed).dataSync()[0]);
  assert.equal(value(1), value(1));
  assert.notEqual(value(1), value(2));
  assert.deepEqual(task.config().alpha, 1);
  const options = { epochs: 3, batchSize: 64, display: false, runStore: false as const };
  const result = await train(task, { name: 'penguins', inputs: data.inputs }, options);
  assert.ok(result.history.every(p => Number.isFinite(p.loss)));
  const before = tf.memory().numTensors;
  await train(task, { name: 'penguins', inputs: data.inputs }, { ...options, epochs: 1 });
  assert.equal(tf.memory().numTensors, before, 'no tensors leak across epochs');
  task.dispose();
  const is = (pattern: RegExp) => (error: unknown) =>
    error instanceof PretextError && pattern.test(error.message);
  assert.throws(() => vime({ encoder, alpha: -1 }), is(/alpha must be a non-negative/));
  assert.throws(() => vime({ encoder, maskRate: 0 }), is(/rate must be between 0 and 1/));
  assert.throws(() => vime({ encoder, pm: 0.3 } as never), is(/Unknown option 'pm'/));
  encoder.dispose();
  data.inputs.dispose();
});
