import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Scalar, type Tensor2D } from '../../../kernel/src/backend/tf';
import { byolLoss } from '../../../kernel/src/losses/cosine';
import { PretextError } from '../../../kernel/src/util/errors';

const t2 = (rows: number[][]) => tf.tensor2d(rows) as Tensor2D;
const v = (s: Scalar) => s.dataSync()[0];

test('BYOL loss is 2 - 2 cos', () => {
  // cos([1,0],[0,2]) = 0 -> 2; cos([1,1],[2,2]) = 1 -> 0; mean = 1.
  assert.ok(
    Math.abs(
      v(
        byolLoss(
          t2([
            [1, 0],
            [1, 1]
          ]),
          t2([
            [0, 2],
            [2, 2]
          ])
        )
      ) - 1
    ) < 1e-5
  );
  assert.throws(() => byolLoss(t2([[1, 0]]), t2([[1, 0, 0]])), PretextError);
});
