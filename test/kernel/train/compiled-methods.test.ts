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
import { train } from '../../../kernel/src/train/train';

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

for (const method of METHODS) {
  test(
    `${method.name}: px.train's compiled steps give the eager steps' losses`,
    { skip: !traceable },
    async () => {
      const { encoder, inputs } = setup(method.modality);
      const losses = async (compile: boolean) => {
        const task = createTask(method.name, { encoder: encoder(), seed: 3 });
        const run = await train(
          task,
          { name: method.modality, inputs },
          {
            epochs: 2,
            batchSize: 16,
            learningRate: 1e-3,
            seed: 5,
            compile,
            display: false,
            runStore: false
          }
        );
        task.dispose();
        task.encoder.dispose();
        return { losses: run.history.map(p => p.loss), steps: run.steps };
      };
      const eager = await losses(false);
      const compiled = await losses(true);
      assert.equal(compiled.steps?.compiled, true, compiled.steps?.reason);
      assert.equal(compiled.losses.length, eager.losses.length);
      compiled.losses.forEach((loss, i) => {
        const reference = eager.losses[i];
        assert.ok(
          Math.abs(loss - reference) <= 2e-3 * Math.max(1, Math.abs(reference)),
          `step ${i + 1}: compiled ${loss} vs eager ${reference}`
        );
      });
      inputs.dispose();
    }
  );
}
