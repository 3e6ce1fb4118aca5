import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Scalar, type Tensor2D } from '../../../kernel/src/backend/tf';
import { vicregLoss } from '../../../kernel/src/losses/vicreg';

const t2 = (rows: number[][]) => tf.tensor2d(rows) as Tensor2D;
const v = (s: Scalar) => s.dataSync()[0];

test('VICReg terms match hand arithmetic', () => {
  // z1 = z2 = [[1,0],[-1,0]]: invariance 0. Column 0 variance (1+1)/(2-1) = 2, std 1.414 -> hinge
  // 0; column 1 std sqrt(1e-4) = 0.01 -> hinge 0.99; mean 0.495 per view, averaged 0.495.
  // Covariance off-diagonal: (1*0 + -1*0)/1 = 0. Loss = 25 * 0.495 = 12.375.
  const z = t2([
    [1, 0],
    [-1, 0]
  ]);
  assert.ok(Math.abs(v(vicregLoss(z, z)) - 12.375) < 1e-4);
  // z1 = [[1,1],[-1,-1]], z2 = [[1,-1],[-1,1]]: invariance = mean(0,4,0,4) = 2; all stds 1.414
  // -> variance 0; cov(z1) off-diagonal = (1+1)/1 = 2 twice -> (4+4)/2 = 4; z2 likewise 4
  // -> covariance 8. Loss = 25*2 + 0 + 1*8 = 58.
  assert.ok(
    Math.abs(
      v(
        vicregLoss(
          t2([
            [1, 1],
            [-1, -1]
          ]),
          t2([
            [1, -1],
            [-1, 1]
          ])
        )
      ) - 58
    ) < 1e-3
  );
});
