/**
 * Where one method's training step goes, for work on the native-kernel layer (no PyTorch
 * here; `npm run bench` compares with it): ms per step, tfjs kernels per step by name, and
 * the kernel time by name (tf.profile; nested kernels count in their parent too).
 *
 *   node --import tsx bench/profile-step.ts scarf 64          # method, batch
 *   STEPS=15 node --import tsx bench/profile-step.ts mlm 64
 *   PRETEXT_NATIVE_DENSE=0 node --import tsx bench/profile-step.ts scarf 64   # a lever off
 *
 * Methods: simclr, moco, byol, masked-image (MNIST, conv encoder), mlm (SpamAssassin,
 * transformer), scarf (movies table, MLP), series (sensor windows, 1-D conv). Views are given
 * as-is (augmentation is not part of the step), as in bench/method-steps.ts.
 */
import * as px from '../kernel/src/index';
import { tf, type Tensor, type Tensor2D } from '../kernel/src/backend/tf';
import { loadMnist } from '../kernel/src/datasets/mnist';
import type { PretextTask } from '../kernel/src/tasks/task';
import { createOptimizer } from '../kernel/src/train/optimizers';
import { deriveSeed } from '../kernel/src/util/random';

const METHOD = process.argv[2] ?? 'scarf';
const BATCH = Number(process.argv[3] ?? 64);
const STEPS = Number(process.env.STEPS ?? 30);

const given = (t: Tensor) => t.clone();
const firstRows = (t: Tensor, n: number) =>
  tf.slice(t, Array(t.rank).fill(0), [n, ...Array(t.rank - 1).fill(-1)]);

function build(): { task: PretextTask; batch: Tensor } {
  switch (METHOD) {
    case 'scarf': {
      const movies = px.loadTable(px.vegaData('movies.json'), {
        label: 'Major Genre',
        columns: { Distributor: 'categorical' }
      });
      const encoder = px.mlpEncoder({
        inputDim: movies.inputs.shape[1],
        hidden: [256, 256],
        seed: 1
      });
      const groups = Array.from(movies.schema.groups);
      const task = px.createTask('scarf', { encoder, groups, seed: 1 });
      return { task, batch: firstRows(movies.inputs, BATCH) };
    }
    case 'mlm': {
      const corpus = px.loadSpamAssassin({ perClass: Math.max(500, BATCH), seed: 0 });
      const tokenizer = px.trainTokenizer(corpus.texts, { vocabSize: 4000, maxLength: 64 });
      const text = px.textDataset(corpus, tokenizer);
      const encoder = px.transformerEncoder({
        vocabSize: tokenizer.vocabSize,
        maxLength: 64,
        seed: 1
      });
      const task = px.createTask('mlm', { encoder, tokenizer, seed: 1 });
      return { task, batch: firstRows(text.inputs as Tensor2D, BATCH) };
    }
    case 'series': {
      const normal = px.sensorSeries({ steps: Math.max(12000, 16 * BATCH + 128), seed: 1 });
      const raw = px.windowSeries(normal, { length: 64, stride: 16 });
      const windows = px.fitStandardizer(raw).transform(raw);
      const encoder = px.conv1dEncoder({ inputShape: [64, 3], seed: 1 });
      const task = px.createTask('series-contrastive', { encoder, augment: given, seed: 1 });
      return { task, batch: firstRows(windows.inputs, BATCH) };
    }
    case 'simclr':
    case 'moco':
    case 'byol':
    case 'masked-image': {
      const mnist = loadMnist({ perClass: Math.ceil(BATCH / 10) + 1 });
      const encoder = px.convEncoder({ inputShape: [28, 28, 1], seed: 1 });
      const options =
        METHOD === 'masked-image' ? { encoder, seed: 1 } : { encoder, augment: given, seed: 1 };
      return { task: px.createTask(METHOD, options), batch: firstRows(mnist.inputs, BATCH) };
    }
    default:
      throw new Error(
        `profile-step: unknown method '${METHOD}'; one of simclr, moco, byol, masked-image, mlm, scarf, series.`
      );
  }
}

const top = (counts: Map<string, number[]>, by: 0 | 1, n: number, unit = '') =>
  [...counts]
    .sort((a, b) => b[1][by] - a[1][by])
    .slice(0, n)
    .map(([name, v]) => `${name} ${by === 0 ? v[0] : v[1].toFixed(1)}${unit}`)
    .join(', ');

async function main(): Promise<void> {
  const { task, batch } = build();
  const optimizer = createOptimizer('adam', 1e-3, 0);
  const variables = task.trainableVariables();
  const step = (i: number) => {
    const loss = optimizer.optimizer.minimize(
      () => task.loss(batch, deriveSeed(0, i)),
      true,
      variables
    )!;
    if (task.afterStep) {
      tf.tidy(() => task.afterStep!(i + 1));
    }
    loss.dataSync();
    loss.dispose();
  };
  for (let i = 0; i < 5; i++) {
    step(i);
  }
  const started = performance.now();
  for (let i = 0; i < STEPS; i++) {
    step(5 + i);
  }
  const ms = (performance.now() - started) / STEPS;
  const profile = await tf.profile(() => step(5 + STEPS));
  const byName = new Map<string, number[]>();
  for (const k of profile.kernels) {
    const entry = byName.get(k.name) ?? [0, 0];
    entry[0]++;
    entry[1] += Number(k.kernelTimeMs) || 0;
    byName.set(k.name, entry);
  }
  const state = px.nativeGradientState();
  console.log(
    `${METHOD}, batch ${BATCH}: ${ms.toFixed(1)} ms per step (mean of ${STEPS}), ${variables.length} variables; ` +
      `native dense ${state.nativeDense}, 2-D matmul ${state.nativeMatMul}, fused Adam ${optimizer.nativeAdam}`
  );
  console.log(`tfjs kernels per step: ${profile.kernels.length}: ${top(byName, 0, 14)}`);
  console.log(`kernel time (ms): ${top(byName, 1, 14)}`);
  optimizer.dispose();
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
