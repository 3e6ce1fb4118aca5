import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Variable } from '../../../../kernel/src/backend/tf';
import { LayerNorm } from '../../../../kernel/src/models/layers/layer-norm';
import { MaskedMeanPool } from '../../../../kernel/src/models/layers/masked-mean-pool';
import { PadMask } from '../../../../kernel/src/models/layers/pad-mask';
import { SelfAttention } from '../../../../kernel/src/models/layers/self-attention';

const maxDiff = (a: Tensor, b: Tensor) => tf.tidy(() => tf.abs(tf.sub(a, b)).max().dataSync()[0]);

test('LayerNorm matches tfjs layerNormalization (and differentiates)', () => {
  const x = tf.randomNormal([3, 5, 8], 2, 3, 'float32', 1);
  const ours = new LayerNorm({ epsilon: 1e-6 });
  const reference = tf.layers.layerNormalization({ epsilon: 1e-6 });
  assert.ok(maxDiff(ours.apply(x) as Tensor, reference.apply(x) as Tensor) < 1e-5);
  const gamma = ours.trainableWeights[0].read() as Variable;
  const { grads } = tf.variableGrads(() => tf.sum(ours.apply(x) as Tensor), [gamma]);
  assert.ok(Object.values(grads).every(g => Number.isFinite(g.sum().dataSync()[0])));
});

test('PadMask and MaskedMeanPool average real tokens only', () => {
  const ids = tf.tensor2d([[2, 9, 3, 0]], undefined, 'int32');
  const mask = new PadMask().apply(ids) as Tensor;
  assert.deepEqual(Array.from(mask.dataSync()), [1, 1, 1, 0]);
  const states = tf.tensor3d([
    [
      [1, 2],
      [3, 4],
      [5, 6],
      [100, 100]
    ]
  ]);
  const pooled = new MaskedMeanPool().apply([states, mask]) as Tensor;
  assert.deepEqual(Array.from(pooled.dataSync()), [3, 4]);
});

test('SelfAttention ignores padded keys: changing a padded state leaves real tokens unchanged', () => {
  const attention = new SelfAttention({ heads: 2, seed: 3 });
  const mask = tf.tensor2d([[1, 1, 1, 0, 0]]);
  const a = tf.randomNormal([1, 5, 8], 0, 1, 'float32', 4);
  const b = tf.concat(
    [a.slice([0, 0, 0], [1, 3, 8]), tf.randomNormal([1, 2, 8], 5, 1, 'float32', 5)],
    1
  );
  const outA = (attention.apply([a, mask]) as Tensor).slice([0, 0, 0], [1, 3, 8]);
  const outB = (attention.apply([b, mask]) as Tensor).slice([0, 0, 0], [1, 3, 8]);
  assert.ok(maxDiff(outA, outB) < 1e-5);
  // Without the mask the padded states would leak in.
  const open = tf.ones([1, 5]);
  const leakA = (attention.apply([a, open]) as Tensor).slice([0, 0, 0], [1, 3, 8]);
  const leakB = (attention.apply([b, open]) as Tensor).slice([0, 0, 0], [1, 3, 8]);
  assert.ok(maxDiff(leakA, leakB) > 1e-3);
  assert.throws(
    () => new SelfAttention({ heads: 3 }).apply([a, mask]),
    /does not divide into 3 heads/
  );
});
