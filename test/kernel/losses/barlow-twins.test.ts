import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Scalar, type Tensor2D } from '../../../kernel/src/backend/tf';
import { barlowTwinsLoss } from '../../../kernel/src/losses/barlow-twins';

const t2 = (rows: number[][]) => tf.tensor2d(rows) as Tensor2D;
const v = (s: Scalar) => s.dataSync()[0];

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
