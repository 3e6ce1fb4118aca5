import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor2D } from '../../../kernel/src/backend/tf';
import { mocoLoss, ntXentLoss } from '../../../kernel/src/losses/nt-xent';
import { PretextError } from '../../../kernel/src/util/errors';

const t2 = (rows: number[][]) => tf.tensor2d(rows) as Tensor2D;
const value = (z1: Tensor2D, z2: Tensor2D, temperature: number): number => {
  const loss = ntXentLoss(z1, z2, temperature);
  const v = loss.dataSync()[0];
  loss.dispose();
  return v;
};
const e1 = [1, 0];
const e2 = [0, 1];

test('NT-Xent matches hand arithmetic for aligned pairs (N = 2, 2-D unit vectors)', () => {
  // Rows: a = z1[0] = e1, b = z1[1] = e2, c = z2[0] = e1, d = z2[1] = e2.
  // Anchor a: positive c (cos 1), negatives b, d (cos 0). Every anchor looks the same, so
  //   loss = -1/T + log(e^(1/T) + e^0 + e^0) = log(1 + 2 e^(-1/T)).
  //   T = 1:   log(1 + 2/e)      = log(1.7357589) = 0.5514447
  //   T = 0.5: log(1 + 2 e^(-2)) = log(1.2706706) = 0.2395448
  const z1 = t2([e1, e2]);
  const z2 = t2([e1, e2]);
  assert.ok(Math.abs(value(z1, z2, 1) - 0.5514447) < 1e-5);
  assert.ok(Math.abs(value(z1, z2, 0.5) - 0.2395448) < 1e-5);
});

test('NT-Xent matches hand arithmetic for swapped pairs, which score worse', () => {
  // z2 = [e2, e1]: anchor a = e1 has positive c = e2 (cos 0) and negatives b = e2 (cos 0),
  // d = e1 (cos 1); all anchors alike, so loss = -0 + log(1 + 1 + e^(1/T)).
  //   T = 1:   log(2 + e)   = log(4.7182818) = 1.5514447
  //   T = 0.5: log(2 + e^2) = log(9.3890561) = 2.2395448
  const z1 = t2([e1, e2]);
  const swapped = t2([e2, e1]);
  assert.ok(Math.abs(value(z1, swapped, 1) - 1.5514447) < 1e-5);
  assert.ok(Math.abs(value(z1, swapped, 0.5) - 2.2395448) < 1e-5);
  assert.ok(value(z1, t2([e1, e2]), 1) < value(z1, swapped, 1));
});

test('NT-Xent matches hand arithmetic for an asymmetric case, and ignores vector lengths', () => {
  // a = e1, b = e2, c = (0.6, 0.8), d = e2; T = 1. Cosines: ab 0, ac .6, ad 0, bc .8, bd 1, cd .8.
  //   a (pos c): -0.6 + log(1 + e^.6 + 1)       = 0.7408049
  //   b (pos d): -1   + log(1 + e^.8 + e^1)     = 0.7823525
  //   c (pos a): -0.6 + log(e^.6 + e^.8 + e^.8) = 1.2362867
  //   d (pos b): -1   + log(1 + e^1 + e^.8)     = 0.7823525
  //   mean = 3.5417966 / 4 = 0.8854492
  const z1 = t2([e1, e2]);
  const z2 = t2([
    [0.6, 0.8],
    [0, 1]
  ]);
  assert.ok(Math.abs(value(z1, z2, 1) - 0.8854492) < 1e-5);
  // Cosine similarity: scaling rows does not change the loss.
  const scaled = t2([
    [3, 0],
    [0, 0.5]
  ]);
  const scaled2 = t2([
    [6, 8],
    [0, 2]
  ]);
  assert.ok(Math.abs(value(scaled, scaled2, 1) - 0.8854492) < 1e-5);
});

test('NT-Xent is differentiable and leaves no tensors behind', () => {
  const z1 = tf.randomNormal([8, 4], 0, 1, 'float32', 1) as Tensor2D;
  const z2 = tf.randomNormal([8, 4], 0, 1, 'float32', 2) as Tensor2D;
  const before = tf.memory().numTensors;
  const grad = tf.grad(x => ntXentLoss(x as Tensor2D, z2, 0.5))(z1);
  const g = grad.dataSync();
  assert.ok(g.every(Number.isFinite));
  assert.ok(
    g.some(v => Math.abs(v) > 1e-4),
    'gradient should not vanish'
  );
  grad.dispose();
  assert.equal(tf.memory().numTensors, before);
  // A gradient step along -grad lowers the loss.
  const stepped = tf.tidy(
    () => tf.sub(z1, tf.mul(0.1, tf.grad(x => ntXentLoss(x as Tensor2D, z2, 0.5))(z1))) as Tensor2D
  );
  assert.ok(value(stepped, z2, 0.5) < value(z1, z2, 0.5));
});

test('NT-Xent rejects a non-positive temperature and mismatched or tiny batches', () => {
  const z = t2([e1, e2]);
  const three = t2([e1, e2, e1]);
  const one = t2([e1]);
  const before = tf.memory().numTensors;
  assert.throws(() => ntXentLoss(z, z, 0), PretextError);
  assert.throws(() => ntXentLoss(z, z, -0.5), PretextError);
  assert.throws(() => ntXentLoss(z, z, NaN), PretextError);
  assert.throws(() => ntXentLoss(z, three, 0.5), PretextError);
  assert.throws(() => ntXentLoss(one, one, 0.5), /at least 2 examples/);
  assert.equal(tf.memory().numTensors, before);
});

test('mocoLoss equals InfoNCE computed by hand; empty queue slots are masked', () => {
  const q = tf.tensor2d([
    [1, 0],
    [0, 2]
  ]);
  const k = tf.tensor2d([
    [0.6, 0.8],
    [0, -3]
  ]);
  const queue = tf.tensor2d([
    [1, 0],
    [0, 1],
    [-1, 0]
  ]);
  const T = 0.5;
  // Normalised: q = [1,0], [0,1]; k = [0.6,0.8], [0,-1]. Positives 0.6 and -1; negatives
  // q1: 1, 0, -1; q2: 0, 1, 0. Each divided by T.
  const lse = (xs: number[]) => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));
  const full = (lse([1.2, 2, 0, -2]) - 1.2 + (lse([-2, 0, 2, 0]) + 2)) / 2;
  const firstTwo = (lse([1.2, 2, 0]) - 1.2 + (lse([-2, 0, 2]) + 2)) / 2;
  const loss = (filled?: number) => mocoLoss(q, k, queue, T, filled).dataSync()[0];
  assert.ok(Math.abs(loss() - full) < 1e-5, `${loss()} vs ${full}`);
  assert.ok(Math.abs(loss(3) - full) < 1e-5);
  assert.ok(Math.abs(loss(2) - firstTwo) < 1e-5, `${loss(2)} vs ${firstTwo}`);
  assert.ok(Math.abs(loss(2) - full) > 1e-2, 'the third slot changes the loss');
  // Nothing filled: each query only sees its positive, so the loss is exactly 0.
  assert.equal(loss(0), 0);
  assert.throws(() => mocoLoss(q, k, tf.zeros([3, 4]) as Tensor2D, T), /same dim/);
  assert.throws(() => mocoLoss(q, k, queue, 0), /MoCo temperature must be a positive number/);
  tf.dispose([q, k, queue]);
});

test('ntXentLoss with a queue is MoCo InfoNCE: only the queue supplies negatives', () => {
  const q = tf.tensor2d([
    [1, 0],
    [0, 2]
  ]) as Tensor2D;
  const k = tf.tensor2d([
    [0.6, 0.8],
    [0, -3]
  ]) as Tensor2D;
  const keys = tf.tensor2d([[-1, 0]]) as Tensor2D;
  const T = 0.5;
  // Normalised q = [1,0], [0,1]; k = [0.6,0.8], [0,-1]: positives 1.2 and -2 (over T); the one
  // negative [-1, 0] scores -2 and 0. In-batch rows do not count, unlike plain NT-Xent.
  const lse = (xs: number[]) => Math.log(xs.reduce((s, x) => s + Math.exp(x), 0));
  const expected = (lse([1.2, -2]) - 1.2 + (lse([-2, 0]) + 2)) / 2;
  const withQueue = ntXentLoss(q, k, T, { keys }).dataSync()[0];
  assert.ok(Math.abs(withQueue - expected) < 1e-5, `${withQueue} vs ${expected}`);
  assert.ok(Math.abs(mocoLoss(q, k, keys, T).dataSync()[0] - expected) < 1e-5);
  assert.ok(Math.abs(ntXentLoss(q, k, T).dataSync()[0] - expected) > 1e-2);
  // An empty queue leaves each query only its positive: loss exactly 0.
  assert.equal(ntXentLoss(q, k, T, { keys, filled: 0 }).dataSync()[0], 0);
  tf.dispose([q, k, keys]);
});
