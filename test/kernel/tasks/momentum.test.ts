import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../../../kernel/src/backend/tf';
import { emaUpdate, targetCopy, tauAt } from '../../../kernel/src/tasks/momentum';
import { modelVariables } from '../../../kernel/src/models/variables';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';

test('EMA with tau = 0.5 averages known weights; target is not trainable', () => {
  const input = tf.input({ shape: [2] });
  const out = tf.layers
    .dense({ units: 1, kernelInitializer: 'ones', biasInitializer: 'zeros' })
    .apply(input) as ReturnType<typeof tf.input>;
  const online = tf.model({ inputs: input, outputs: out });
  const target = targetCopy(online);
  // online kernel -> [3, 3], bias -> 2; target still [1, 1] and 0.
  online.setWeights([tf.tensor2d([[3], [3]]), tf.tensor1d([2])]);
  emaUpdate(target, online, 0.5);
  // 0.5 * 1 + 0.5 * 3 = 2; 0.5 * 0 + 0.5 * 2 = 1.
  assert.deepEqual(Array.from(target.getWeights()[0].dataSync()), [2, 2]);
  assert.deepEqual(Array.from(target.getWeights()[1].dataSync()), [1]);
  const onlineVars = new Set(modelVariables(online));
  assert.equal(modelVariables(target).length, 0);
  for (const w of target.weights) {
    assert.ok(!onlineVars.has(w.read() as never));
  }
  target.dispose();
  online.dispose();
});

test('cosine tau goes from tau0 to 1', () => {
  assert.equal(tauAt(0.99, 5), 0.99);
  assert.ok(Math.abs(tauAt(0.99, 0, 10) - 0.99) < 1e-12);
  assert.ok(Math.abs(tauAt(0.99, 10, 10) - 1) < 1e-12);
  assert.ok(Math.abs(tauAt(0.9, 5, 10) - 0.95) < 1e-12);
});

test('EMA pairs weights layer by layer, also with batch norm (whose gamma/beta reorder in a frozen copy)', () => {
  const online = convEncoder({ inputShape: [8, 8, 1], filters: [4, 4], batchNorm: true, seed: 1 });
  const target = targetCopy(online);
  // The frozen copy lists weights in another order: pairing by model.weights would mismatch.
  assert.notDeepEqual(
    target.weights.map(w => w.shape.join()),
    online.weights.map(w => w.shape.join())
  );
  online.setWeights(online.getWeights().map((w, i) => tf.fill(w.shape, i + 1)));
  emaUpdate(target, online, 0);
  online.layers.forEach((layer, i) =>
    layer
      .getWeights()
      .forEach((w, j) =>
        assert.deepEqual(
          Array.from(target.layers[i].getWeights()[j].dataSync()),
          Array.from(w.dataSync()),
          `${layer.name} weight ${j}`
        )
      )
  );
  target.dispose();
  online.dispose();
});
