import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor2D } from '../../../kernel/src/backend/tf';
import { loadTable, vegaData } from '../../../kernel/src/loaders/tables/table';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { mlpEncoder } from '../../../kernel/src/models/mlp-encoder';
import { createTask } from '../../../kernel/src/tasks/registry';
import { scarf } from '../../../kernel/src/tasks/scarf';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';

const penguins = () => loadTable(vegaData('penguins.json'), { label: 'Species' });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

test('SCARF: Adam steps on the penguins table lower the loss, no NaN, flat tensor count', () => {
  const data = penguins();
  const features = data.inputs.shape[1];
  const encoder = mlpEncoder({ inputDim: features, hidden: [64, 64], seed: 0 });
  const task = scarf({ encoder, groups: data.schema.groups, temperature: 0.5, seed: 0 });
  const batch = tf.slice(data.inputs, [0, 0], [128, -1]) as Tensor2D;
  const optimizer = tf.train.adam(3e-3);
  const variables = task.trainableVariables();
  const losses: number[] = [];
  const counts: number[] = [];
  for (let step = 0; step < 30; step++) {
    const cost = optimizer.minimize(() => task.loss(batch, step), true, variables)!;
    losses.push(cost.dataSync()[0]);
    cost.dispose();
    counts.push(tf.memory().numTensors);
  }
  assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
  // 2N = 256 views: chance is log(255) = 5.54, where training starts.
  assert.ok(Math.abs(losses[0] - Math.log(255)) < 0.6, `initial loss ${losses[0]}`);
  const first = mean(losses.slice(0, 3));
  const last = mean(losses.slice(-3));
  assert.ok(last < first - 0.1, `loss should fall: ${first.toFixed(3)} -> ${last.toFixed(3)}`);
  assert.equal(counts[25], counts[5], `tensor counts ${counts}`);
  optimizer.dispose();
  task.dispose();
  encoder.dispose();
  tf.dispose([batch, data.inputs]);
});

test('SCARF trains through the engine by name; same seed, same loss; config records settings', async () => {
  const data = penguins();
  const encoder = mlpEncoder({ inputDim: data.inputs.shape[1], hidden: [32], seed: 1 });
  const task = createTask('scarf', { encoder, groups: data.schema.groups, rate: 0.4 });
  assert.equal(task.method, 'scarf');
  const value = (seed: number) => tf.tidy(() => task.loss(data.inputs, seed).dataSync()[0]);
  assert.equal(value(4), value(4));
  assert.notEqual(value(4), value(5));
  const config = JSON.parse(JSON.stringify(task.config()));
  assert.equal(config.rate, 0.4);
  assert.equal(config.temperature, 1);
  assert.equal(config.groups, 6, 'six source columns');
  const options = { epochs: 3, batchSize: 64, display: false, runStore: false as const };
  const result = await train(task, { name: 'penguins', inputs: data.inputs }, options);
  assert.ok(result.history.every(p => Number.isFinite(p.loss)));
  const before = tf.memory().numTensors;
  await train(task, { name: 'penguins', inputs: data.inputs }, { ...options, epochs: 1 });
  assert.equal(tf.memory().numTensors, before, 'no tensors leak across epochs');
  task.dispose();
  encoder.dispose();
  data.inputs.dispose();
});

test('SCARF rejects image encoders, wrong widths, tiny batches and bad settings', () => {
  const is = (pattern: RegExp) => (error: unknown) =>
    error instanceof PretextError && pattern.test(error.message);
  const conv = convEncoder({ inputShape: [8, 8, 1], filters: [4] });
  assert.throws(() => scarf({ encoder: conv }), is(/not table rows[\s\S]*mlpEncoder/));
  const encoder = mlpEncoder({ inputDim: 5, hidden: [8] });
  assert.throws(() => scarf({ encoder, temperature: 0 }), is(/temperature must be a positive/));
  assert.throws(() => scarf({ encoder, rate: 1.5 }), is(/rate must be between 0 and 1/));
  assert.throws(() => scarf({ encoder, groups: [0, 1, 2] }), is(/3 entries but the rows have 5/));
  assert.throws(
    () => scarf({ encoder, corruption: 0.5 } as never),
    is(/Unknown option 'corruption'/)
  );
  const task = scarf({ encoder });
  const wide = tf.ones([4, 7]);
  assert.throws(() => task.loss(wide, 0), is(/Rows are 7 but the encoder/));
  const one = tf.ones([1, 5]);
  assert.throws(() => task.loss(one, 0), is(/at least 2 rows per batch/));
  task.dispose();
  assert.throws(() => task.loss(wide, 0), is(/has been disposed/));
  tf.dispose([wide, one]);
  encoder.dispose();
  conv.dispose();
});
