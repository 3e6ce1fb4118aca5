import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type LayersModel, type Tensor } from '../../../kernel/src/backend/tf';
import { traceableBackend } from '../../../kernel/src/backend/graph/trace';
import { conv1dEncoder } from '../../../kernel/src/models/conv1d-encoder';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { mlpEncoder } from '../../../kernel/src/models/mlp-encoder';
import { transformerEncoder } from '../../../kernel/src/models/transformer-encoder';
import { METHODS, createTask } from '../../../kernel/src/tasks/registry';
import { NUM_SPECIAL } from '../../../kernel/src/text/tokenizer';
import { createOptimizer } from '../../../kernel/src/train/optimizers';
import { StepGradientEngine } from '../../../kernel/src/train/step-gradients';

const traceable = traceableBackend() !== undefined;
const VOCAB = 50;

/** A small encoder and 64 inputs of the method's modality (seeded, so both runs match). */
function setup(modality: string): { encoder: () => LayersModel; inputs: Tensor } {
  switch (modality) {
    case 'image':
      return {
        encoder: () => convEncoder({ inputShape: [16, 16, 1], filters: [8, 16], seed: 1 }),
        inputs: tf.randomUniform([64, 16, 16, 1], 0, 1, 'float32', 2)
      };
    case 'timeseries':
      return {
        encoder: () => conv1dEncoder({ inputShape: [32, 3], filters: [8, 8], seed: 1 }),
        inputs: tf.randomNormal([64, 32, 3], 0, 1, 'float32', 2)
      };
    case 'tabular':
      return {
        encoder: () => mlpEncoder({ inputDim: 12, hidden: [32, 32], seed: 1 }),
        inputs: tf.randomNormal([64, 12], 0, 1, 'float32', 2)
      };
    default:
      return {
        encoder: () =>
          transformerEncoder({
            vocabSize: VOCAB,
            maxLength: 16,
            dim: 16,
            heads: 2,
            layers: 1,
            seed: 1
          }),
        inputs: tf.randomUniform([64, 16], NUM_SPECIAL, VOCAB, 'int32', 2)
      };
  }
}

/**
 * Largest |a - b| relative to the larger magnitude, over a pair of tensors; magnitudes below
 * 1e-4 count as 1e-4 (self-attention's key bias has an exactly-zero gradient, seen as noise).
 */
function relativeGap(a: Tensor, b: Tensor): number {
  return tf.tidy(() => {
    const scale = Math.max(1e-4, tf.max(tf.abs(a)).dataSync()[0], tf.max(tf.abs(b)).dataSync()[0]);
    return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] / scale;
  });
}

for (const method of METHODS) {
  test(
    `${method.name}: every compiled step equals the eager step on the same inputs and weights`,
    { skip: !traceable },
    () => {
      const { encoder, inputs } = setup(method.modality);
      const task = createTask(method.name, { encoder: encoder(), seed: 3 });
      const variables = task.trainableVariables();
      const engine = new StepGradientEngine(task, variables, true);
      const optimizer = createOptimizer('adam', 1e-3, 0);
      // Steps in lockstep: the compiled function and the eager objective see the same prepared
      // inputs and the same state at every step, so a wrongly bound or frozen tensor (a weight,
      // a momentum target, a queue) shows as a gap once that state has moved, not as drift.
      for (let step = 0; step < 6; step++) {
        const batch = tf.slice(inputs, [16 * (step % 4)], [16]);
        const prepared = task.stages!.prepare(batch, step);
        const compiled = engine.fromPrepared(prepared);
        const eager = tf.tidy(() => {
          const { value, grads } = tf.variableGrads(
            () => task.stages!.objective(prepared),
            variables
          );
          return [value, ...variables.map(v => grads[v.name])];
        });
        const lossGap = relativeGap(compiled.value, eager[0]);
        assert.ok(lossGap < 1e-4, `step ${step + 1}: loss differs by ${lossGap} (relative)`);
        variables.forEach((v, i) => {
          const gap = relativeGap(compiled.grads[v.name], eager[1 + i]);
          assert.ok(gap < 1e-3, `step ${step + 1}: gradient of ${v.name} differs by ${gap}`);
        });
        tf.tidy(() => optimizer.apply(variables, compiled.grads));
        tf.dispose([batch, ...prepared, ...eager, compiled.value, compiled.norm]);
        tf.dispose(Object.values(compiled.grads));
        if (task.afterStep) {
          tf.tidy(() => task.afterStep!(step + 1));
        }
      }
      assert.equal(engine.mode.compiled, true, engine.mode.reason);
      engine.dispose();
      optimizer.dispose();
      task.dispose();
      task.encoder.dispose();
      inputs.dispose();
    }
  );
}
