import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor } from '../../../kernel/src/backend/tf';
import { embed, l2Normalize } from '../../../kernel/src/features/embed';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { PretextError } from '../../../kernel/src/util/errors';

test('embed matches predict, in batches, in inference mode, with nothing left behind', () => {
  const encoder = convEncoder({ inputShape: [10, 10, 1], filters: [4, 8], seed: 1 });
  const x = tf.randomUniform([11, 10, 10, 1], 0, 1, 'float32', 2);
  const reference = encoder.predict(x) as Tensor;
  const before = tf.memory().numTensors;
  const features = embed(encoder, x, { batchSize: 4 });
  assert.equal(tf.memory().numTensors, before + 1);
  assert.deepEqual(features.shape, [11, 8]);
  const a = features.dataSync();
  const b = reference.dataSync();
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) < 1e-5);
  }
  const unit = embed(encoder, x, { normalize: true });
  const norms = tf.tidy(() => tf.norm(unit, 2, 1).dataSync());
  assert.ok(norms.every(n => Math.abs(n - 1) < 1e-4));
  tf.dispose([features, unit, reference, x]);
  encoder.dispose();
});

test('embed rejects wrong shapes and options; l2Normalize leaves zero rows at zero', () => {
  const encoder = convEncoder({ inputShape: [10, 10, 1], filters: [4] });
  const wrong = tf.zeros([2, 12, 12, 1]);
  assert.throws(
    () => embed(encoder, wrong),
    /Images are 12x12x1 but the encoder 'conv_encoder' expects 10x10x1/
  );
  assert.throws(() => embed(encoder, wrong, { batchSize: 0 }), PretextError);
  assert.throws(() => embed(encoder, wrong, { batch: 4 } as never), /Unknown option 'batch'/);
  const rows = tf.tensor2d([
    [3, 4],
    [0, 0]
  ]);
  assert.deepEqual(Array.from(l2Normalize(rows).dataSync()), [0.6, 0.8, 0, 0].map(Math.fround));
  tf.dispose([wrong, rows]);
  encoder.dispose();
});
