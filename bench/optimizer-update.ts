/**
 * One Adam update of a method's trainable variables: tfjs-core's ops (14 per variable) against
 * TF's fused ResourceApplyAdam (kernel/src/backend/native/adam.ts), alternated in one process,
 * medians of 50 updates each after 10 warm-up ones (gradients fixed and random).
 *
 *   node --import tsx bench/optimizer-update.ts
 */
import * as px from '../kernel/src/index';
import { tf, type Tensor } from '../kernel/src/backend/tf';
import type { PretextTask } from '../kernel/src/tasks/task';
import { createOptimizer } from '../kernel/src/train/optimizers';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function tasks(): Record<string, PretextTask> {
  const corpus = px.loadSpamAssassin({ perClass: 50, seed: 0 });
  const tokenizer = px.trainTokenizer(corpus.texts, { vocabSize: 4000, maxLength: 64 });
  return {
    'mlm (transformer)': px.createTask('mlm', {
      encoder: px.transformerEncoder({ vocabSize: 4000, maxLength: 64, seed: 1 }),
      tokenizer,
      seed: 1
    }),
    'scarf (MLP 256-256)': px.createTask('scarf', {
      encoder: px.mlpEncoder({ inputDim: 40, hidden: [256, 256], seed: 1 }),
      groups: Array.from({ length: 40 }, (_, i) => i),
      seed: 1
    }),
    'simclr (conv)': px.createTask('simclr', {
      encoder: px.convEncoder({ inputShape: [28, 28, 1], seed: 1 }),
      seed: 1
    })
  };
}

for (const [name, task] of Object.entries(tasks())) {
  const variables = task.trainableVariables();
  const grads: Record<string, Tensor> = Object.fromEntries(
    variables.map((v, i) => [v.name, tf.randomNormal(v.shape, 0, 1e-2, 'float32', i)])
  );
  const optimizers = {
    ops: createOptimizer('adam', 1e-3, 0, { nativeAdam: false }),
    fused: createOptimizer('adam', 1e-3, 0, { nativeAdam: true })
  };
  const times: Record<keyof typeof optimizers, number[]> = { ops: [], fused: [] };
  for (let round = 0; round < 60; round++) {
    for (const kind of ['ops', 'fused'] as const) {
      const started = performance.now();
      optimizers[kind].apply(variables, grads);
      variables[0].dataSync();
      if (round >= 10) {
        times[kind].push(performance.now() - started);
      }
    }
  }
  const params = variables.reduce((sum, v) => sum + v.size, 0);
  const [ops, fused] = [median(times.ops), median(times.fused)];
  console.log(
    `${name.padEnd(20)} ${variables.length} variables, ${params} parameters: tfjs ops ${ops.toFixed(2)} ms, ` +
      `TF fused ${fused.toFixed(2)} ms (${(ops / fused).toFixed(2)}x)`
  );
  tf.dispose(Object.values(grads));
  optimizers.ops.dispose();
  optimizers.fused.dispose();
  task.dispose?.();
}
