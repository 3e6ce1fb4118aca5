import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor } from '../../../kernel/src/backend/tf';
import { mlpEncoder } from '../../../kernel/src/models/mlp-encoder';
import { PretextError } from '../../../kernel/src/util/errors';

test('mlpEncoder maps vectors to outputDim, same seed same weights', () => {
  const a = mlpEncoder({ inputDim: 5, hidden: [8, 8], outputDim: 3, seed: 1 });
  const b = mlpEncoder({ inputDim: 5, hidden: [8, 8], outputDim: 3, seed: 1 });
  const x = tf.ones([2, 5]);
  const ya = a.predict(x) as Tensor;
  assert.deepEqual(ya.shape, [2, 3]);
  assert.deepEqual(Array.from(ya.dataSync()), Array.from((b.predict(x) as Tensor).dataSync()));
  const c = mlpEncoder({ inputDim: 5, hidden: [4] });
  assert.deepEqual(c.outputs[0].shape, [null, 4]);
});

test('mlpEncoder rejects bad options', () => {
  assert.throws(() => mlpEncoder({ inputDim: 0, hidden: [4] }), PretextError);
  assert.throws(() => mlpEncoder({ inputDim: 3, hidden: [] }), PretextError);
  assert.throws(() => mlpEncoder({ inputDim: 3, hidden: [4], outputDim: 1.5 }), PretextError);
  assert.throws(
    () => mlpEncoder({ inputDim: 3, hidden: [4], hiden: 2 } as never),
    /Unknown option 'hiden'/
  );
});
