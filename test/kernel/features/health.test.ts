import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor2D } from '../../../kernel/src/backend/tf';
import {
  alignmentUniformity,
  describeHealth,
  effectiveRank,
  gramRank,
  representationHealth
} from '../../../kernel/src/features/health';

test('isotropic embeddings use every dimension', () => {
  const z = tf.randomNormal([2000, 16], 0, 1, 'float32', 1) as Tensor2D;
  const health = representationHealth(z);
  assert.equal(health.dim, 16);
  assert.ok(health.rankRatio > 0.9, `rank ratio ${health.rankRatio}`);
  assert.ok(health.stdRatio > 0.8 && health.stdRatio < 1.2, `std ratio ${health.stdRatio}`);
  assert.equal(health.collapsing, false);
  z.dispose();
});

test('identical embeddings have rank 1 and are reported as collapsing', () => {
  const z = tf.tidy(() => tf.ones([100, 1]).mul(tf.range(0, 32).reshape([1, 32])) as Tensor2D);
  const health = representationHealth(z);
  assert.equal(health.effectiveRank, 1);
  assert.ok(health.meanStd < 1e-6);
  assert.equal(health.collapsing, true);
  assert.match(describeHealth(health), /effective rank 1\.0 of 32 .* COLLAPSING/);
  z.dispose();
});

test('embeddings on a 2-D subspace have effective rank at most 2', () => {
  const z = tf.tidy(
    () =>
      tf.matMul(
        tf.randomNormal([500, 2], 0, 1, 'float32', 2),
        tf.randomNormal([2, 64], 0, 1, 'float32', 3)
      ) as Tensor2D
  );
  const rank = effectiveRank(z);
  assert.ok(rank > 1.2 && rank <= 2.0001, `rank ${rank}`);
  assert.equal(representationHealth(z).collapsing, true);
  z.dispose();
});

test('alignment is 0 for identical views; uniformity is lower for spread embeddings', () => {
  const spread = tf.randomNormal([300, 8], 0, 1, 'float32', 4) as Tensor2D;
  const same = alignmentUniformity(spread, spread);
  assert.ok(Math.abs(same.alignment) < 1e-5);
  const clumped = tf.tidy(
    () => tf.add(tf.ones([300, 8]), tf.randomNormal([300, 8], 0, 0.01, 'float32', 5)) as Tensor2D
  );
  assert.ok(same.uniformity < alignmentUniformity(clumped, clumped).uniformity);
  // Uniformity of points on the sphere is at most 0 (all identical) and at least -4.
  assert.ok(same.uniformity < 0 && same.uniformity > -4);
  const noisy = tf.tidy(
    () => tf.add(spread, tf.randomNormal([300, 8], 0, 0.5, 'float32', 6)) as Tensor2D
  );
  assert.ok(alignmentUniformity(spread, noisy).alignment > 0.05);
  assert.throws(() => alignmentUniformity(spread, tf.zeros([3, 8]) as Tensor2D), /same shape/);
  assert.throws(() => representationHealth(tf.zeros([1, 8]) as Tensor2D), /at least 2 embeddings/);
});

test("the guard's rank (from the 64 x 64 Gram matrix) is health's effective rank", () => {
  for (const dim of [3, 16, 128]) {
    const z = tf.tidy(() =>
      tf.add(
        tf.matMul(
          tf.randomNormal([64, 4], 0, 1, 'float32', 1),
          tf.randomNormal([4, dim], 0, 1, 'float32', 2)
        ),
        tf.randomNormal([64, dim], 0, 0.3, 'float32', 3)
      )
    ) as Tensor2D;
    assert.ok(Math.abs(gramRank(z) - effectiveRank(z)) < 1e-3 * effectiveRank(z), `dim ${dim}`);
    z.dispose();
  }
  const same = tf.ones([64, 8]) as Tensor2D;
  assert.equal(gramRank(same), 1, 'identical embeddings: one direction at most');
  same.dispose();
});
