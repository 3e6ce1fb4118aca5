import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor3D } from '../../../kernel/src/backend/tf';
import { jitter } from '../../../kernel/src/augment/series';
import { sensorSeries } from '../../../kernel/src/datasets/sensors';
import { fitStandardizer, windowSeries } from '../../../kernel/src/loaders/series/series';
import { conv1dEncoder } from '../../../kernel/src/models/conv1d-encoder';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { maskedSeries, spanMask } from '../../../kernel/src/tasks/masked-series';
import { createTask, METHODS } from '../../../kernel/src/tasks/registry';
import { seriesContrastive } from '../../../kernel/src/tasks/series-contrastive';
import { simclr } from '../../../kernel/src/tasks/simclr';
import type { PretextTask } from '../../../kernel/src/tasks/task';
import { train } from '../../../kernel/src/train/train';

const STEPS = 32;
const encoder = (seed = 1) => conv1dEncoder({ inputShape: [STEPS, 3], filters: [8, 16], seed });

/** 96 standardised windows of simulated machine sensors. */
function sensorWindows(): Tensor3D {
  const raw = windowSeries(sensorSeries({ steps: 3200, seed: 5 }), { length: STEPS, stride: 32 });
  const scaler = fitStandardizer(raw.inputs);
  const x = scaler.transform(raw.inputs);
  raw.inputs.dispose();
  return x;
}

async function trains(task: PretextTask, inputs: Tensor3D): Promise<void> {
  const data = { name: 'sensor windows', inputs };
  const options = {
    epochs: 6,
    batchSize: 32,
    learningRate: 3e-3,
    display: false,
    runStore: false as const
  };
  const first = await train(task, data, options);
  const losses = first.history.map(p => p.loss);
  assert.ok(losses.every(Number.isFinite), `${task.method}: no NaN`);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(
    mean(losses.slice(-3)) < mean(losses.slice(0, 3)),
    `${task.method} loss should fall: ${losses.map(l => l.toFixed(3))}`
  );
  const before = tf.memory().numTensors;
  await train(task, data, { ...options, epochs: 2 });
  assert.equal(tf.memory().numTensors, before, `${task.method} leaks tensors`);
}

test('spanMask hides exactly round(ratio * spans) whole spans per window, seeded', () => {
  const mask = spanMask(6, 20, 4, 0.4, 3);
  assert.deepEqual(mask.shape, [6, 20, 1]);
  for (const row of mask.arraySync()) {
    const flags = row.map(r => r[0]);
    assert.equal(flags.filter(f => f === 1).length, 2 * 4, '2 of 5 spans of 4 steps');
    for (let s = 0; s < 5; s++) {
      const span = flags.slice(4 * s, 4 * s + 4);
      assert.ok(
        span.every(f => f === span[0]),
        'spans are hidden whole'
      );
    }
  }
  const again = spanMask(6, 20, 4, 0.4, 3);
  assert.deepEqual(again.dataSync(), mask.dataSync());
  // A window length that the span does not divide: the last span is cut short.
  const ragged = spanMask(2, 10, 4, 0.5, 1);
  assert.deepEqual(ragged.shape, [2, 10, 1]);
  tf.dispose([mask, again, ragged]);
});

test('masked-series: trains on sensor windows, loss falls, no NaN, flat tensor count', async () => {
  const x = sensorWindows();
  const task = maskedSeries({ encoder: encoder(), spanLength: 4, seed: 2 });
  assert.equal(task.config().method, 'masked-series');
  await trains(task, x);
  task.dispose();
  x.dispose();
});

test('series-contrastive is simclr with series views: trains, falls, no leaks', async () => {
  const x = sensorWindows();
  const task = seriesContrastive({ encoder: encoder(3), seed: 2 });
  assert.equal(task.method, 'series-contrastive');
  assert.equal(task.config().method, 'series-contrastive');
  assert.equal((task.config().augment as { op: string }).op, 'seriesAugment');
  await trains(task, x);
  task.dispose();
  x.dispose();
});

test('simclr picks the default views by the encoder input and takes any augmentation', () => {
  const series = simclr({ encoder: encoder() });
  assert.equal((series.config().augment as { op: string }).op, 'seriesAugment');
  const custom = simclr({ encoder: encoder(), augment: jitter({ std: 0.2 }) });
  assert.deepEqual(custom.config().augment, { op: 'jitter', std: 0.2, p: 1 });
  const image = simclr({ encoder: convEncoder({ inputShape: [8, 8, 1], filters: [4] }) });
  assert.equal((image.config().augment as { op: string }).op, 'simclrAugment');
  [series, custom, image].forEach(t => t.dispose());
});

test('series tasks: registered, catalogued, and their errors name the fix', () => {
  for (const name of ['series-contrastive', 'masked-series']) {
    const info = METHODS.find(m => m.name === name)!;
    assert.equal(info.modality, 'timeseries');
    assert.match(info.snippet, /\{\{epochs\}\}/);
    assert.match(info.snippet, /\{\{batchSize\}\}/);
    assert.match(info.snippet, new RegExp(`createTask\\('${name}'`));
    const task = createTask(name, { encoder: encoder() });
    assert.equal(task.method, name);
    task.dispose();
  }
  const image = convEncoder({ inputShape: [8, 8, 1], filters: [4] });
  assert.throws(() => maskedSeries({ encoder: image }), /not windows \[steps, channels\]/);
  assert.throws(() => seriesContrastive({ encoder: image }), /for images use simclr/);
  assert.throws(() => maskedSeries({ encoder: encoder(), spanLength: 40 }), /spanLength must be/);
  assert.throws(() => maskedSeries({ encoder: encoder(), maskRatio: 1 }), /maskRatio/);
  assert.throws(() => maskedSeries({ encoder: encoder(), span: 3 } as never), /Unknown option/);
  const task = maskedSeries({ encoder: encoder() });
  assert.throws(() => task.loss(tf.zeros([2, 16, 3]), 0), /Windows are 16x3 but/);
  task.dispose();
  assert.throws(() => task.loss(tf.zeros([2, STEPS, 3]), 0), /disposed/);
  const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 3 })] });
  assert.throws(
    () => simclr({ encoder: dense }),
    /no default augmentation for inputs of shape \[5\]/
  );
});
