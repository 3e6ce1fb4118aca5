import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { tf, type Tensor } from '../../../kernel/src/backend/tf';
import { cloneEncoder } from '../../../kernel/src/eval/supervised';
import {
  isTransformerEncoder,
  tokenStatesModel,
  transformerEncoder,
  transformerShape
} from '../../../kernel/src/models/transformer-encoder';
import { mlpEncoder } from '../../../kernel/src/models/mlp-encoder';
import { PretextError } from '../../../kernel/src/util/errors';

const ids = () =>
  tf.tensor2d(
    [
      [2, 7, 9, 11, 3, 0, 0, 0],
      [2, 5, 3, 0, 0, 0, 0, 0]
    ],
    undefined,
    'int32'
  );

test('transformerEncoder maps int32 ids [batch, length] to one pooled vector per text; same seed, same weights', () => {
  const a = transformerEncoder({ vocabSize: 40, maxLength: 8, dim: 16, heads: 2, seed: 3 });
  const b = transformerEncoder({ vocabSize: 40, maxLength: 8, dim: 16, heads: 2, seed: 3 });
  const c = transformerEncoder({ vocabSize: 40, maxLength: 8, dim: 16, heads: 2, seed: 4 });
  const x = ids();
  const ya = a.predict(x) as Tensor;
  assert.deepEqual(ya.shape, [2, 16]);
  assert.deepEqual(a.inputs[0].shape, [null, 8]);
  assert.equal(a.inputs[0].dtype, 'int32');
  assert.deepEqual(ya.dataSync(), (b.predict(x) as Tensor).dataSync());
  assert.notDeepEqual(ya.dataSync(), (c.predict(x) as Tensor).dataSync());
  assert.deepEqual(transformerShape(a), { vocabSize: 40, maxLength: 8, dim: 16 });
  assert.ok(isTransformerEncoder(a));
  assert.ok(!isTransformerEncoder(mlpEncoder({ inputDim: 3, hidden: [4] })));
  const states = tokenStatesModel(a).predict(x) as Tensor;
  assert.deepEqual(states.shape, [2, 8, 16]);
  // The pooled vector is the mean of the token states over real (non-pad) tokens.
  const row1 = states.slice([1, 0, 0], [1, 3, 16]).mean(1);
  assert.ok(
    tf
      .abs(tf.sub(row1, ya.slice([1, 0], [1, 16])))
      .max()
      .dataSync()[0] < 1e-5
  );
  tf.dispose([x, ya, states, row1]);
});

test('padding never changes a text embedding: the [PAD] embedding row can be anything', () => {
  const encoder = transformerEncoder({ vocabSize: 30, maxLength: 8, dim: 16, heads: 4, seed: 1 });
  const x = ids();
  const before = (encoder.predict(x) as Tensor).dataSync();
  const embedding = encoder.layers.find(l => l.getClassName() === 'Embedding')!;
  const [table] = embedding.getWeights();
  const changed = tf.tidy(() => table.add(tf.oneHot([0], 30).reshape([30, 1]).mul(5)));
  embedding.setWeights([changed]);
  const after = (encoder.predict(x) as Tensor).dataSync();
  for (let i = 0; i < before.length; i++) {
    assert.ok(Math.abs(before[i] - after[i]) < 1e-4, `${i}`);
  }
});

test('custom layers survive save/load and cloneEncoder (architecture, weights and outputs)', async () => {
  const encoder = transformerEncoder({
    vocabSize: 30,
    maxLength: 8,
    dim: 16,
    heads: 2,
    layers: 1,
    dropout: 0.1,
    seed: 2
  });
  const x = ids();
  const expected = (encoder.predict(x) as Tensor).dataSync();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-tx-'));
  try {
    await encoder.save(`file://${dir}`);
    const loaded = await tf.loadLayersModel(`file://${dir}/model.json`);
    assert.deepEqual((loaded.predict(x) as Tensor).dataSync(), expected);
    assert.ok(isTransformerEncoder(loaded));
    assert.deepEqual(transformerShape(loaded), { vocabSize: 30, maxLength: 8, dim: 16 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const copy = await cloneEncoder(encoder, true);
  assert.deepEqual((copy.predict(x) as Tensor).dataSync(), expected);
  const fresh = await cloneEncoder(encoder, false);
  assert.equal(fresh.countParams(), encoder.countParams());
});

test('bad transformer options are rejected with a fix', () => {
  assert.throws(() => transformerEncoder({} as never), /vocabSize must be a positive integer/);
  assert.throws(
    () => transformerEncoder({ vocabSize: 10, dim: 30, heads: 4 }),
    /does not divide into 4 heads/
  );
  assert.throws(() => transformerEncoder({ vocabSize: 10, dropout: 1 }), /dropout/);
  assert.throws(() => transformerEncoder({ vocabSize: 10, depth: 2 } as never), PretextError);
  assert.throws(
    () => tokenStatesModel(mlpEncoder({ inputDim: 3, hidden: [4] })),
    /not a transformer/
  );
});
