import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Scalar, type Tensor2D } from '../../../kernel/src/backend/tf';
import { barlowTwinsLoss, byolLoss, vicregLoss } from '../../../kernel/src/tasks/ssl-losses';
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

test('Barlow Twins matches hand arithmetic', () => {
  // z = [[1,-1],[-1,1]] standardised is itself (mean 0, biased var 1). C = z^T z / 2:
  // C_00 = C_11 = (1+1)/2 = 1, C_01 = C_10 = (-1-1)/2 = -1. Loss = 0 + 5e-3 * (1+1) = 0.01.
  const z = t2([
    [1, -1],
    [-1, 1]
  ]);
  assert.ok(Math.abs(v(barlowTwinsLoss(z, z)) - 0.01) < 1e-4);
  // lambda 1: on-diagonal 0 + off-diagonal 2 = 2.
  assert.ok(Math.abs(v(barlowTwinsLoss(z, z, 1)) - 2) < 1e-3);
});
