import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor2D, type Tensor4D } from '../../../kernel/src/backend/tf';
import { augmentationCheck, viewStats } from '../../../kernel/src/augment/check';
import { simclrAugment } from '../../../kernel/src/augment/compose';
import { randomAffine } from '../../../kernel/src/augment/affine';
import { gaussianNoise } from '../../../kernel/src/augment/photometric';
import { loadMnist } from '../../../kernel/src/datasets/mnist';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { PretextError } from '../../../kernel/src/util/errors';

const digits = loadMnist({ perClass: 6 }).inputs as Tensor4D;

test('viewStats: identical views find their partner; unrelated views rank it at chance', () => {
  const a = tf.randomNormal([40, 16], 0, 1, 'float32', 1) as Tensor2D;
  const same = viewStats(a, a);
  assert.ok(Math.abs(same.positiveCosine - 1) < 1e-5);
  assert.equal(same.partnerRate, 1);
  assert.equal(same.partnerRank, 0);
  const b = tf.randomNormal([40, 16], 0, 1, 'float32', 2) as Tensor2D;
  const random = viewStats(a, b);
  assert.ok(random.partnerRate < 0.2, `partner rate ${random.partnerRate}`);
  assert.ok(Math.abs(random.partnerRank - 0.5) < 0.12, `partner rank ${random.partnerRank}`);
  const one = a.slice([0], [1]) as Tensor2D;
  assert.throws(() => viewStats(one, one), PretextError);
  tf.dispose([a, b, one]);
});

test('augmentationCheck flags copies as too easy and heavy geometry as destructive', () => {
  const before = tf.memory().numTensors;
  const copy = augmentationCheck((x: Tensor4D) => x.clone(), digits);
  assert.equal(copy.pixel.partnerRate, 1);
  assert.match(copy.warnings.map(w => w.problem).join(' '), /too easy/);
  const wild = augmentationCheck(
    randomAffine({ degrees: 45, translate: 0.2, scale: [0.5, 1] }),
    digits
  );
  assert.match(wild.warnings.map(w => w.problem).join(' '), /destroy the content/);
  const fine = augmentationCheck(simclrAugment(), digits, { seed: 3 });
  assert.equal(fine.ok, true, JSON.stringify(fine.warnings));
  assert.ok(fine.pixel.positiveCosine > fine.pixel.negativeCosine);
  assert.equal(fine.protocol.samples, 60);
  assert.equal(tf.memory().numTensors, before, 'no tensors left behind');
});

test('augmentationCheck measures the embedding space with an encoder and displays as a table', () => {
  const encoder = convEncoder({ inputShape: [28, 28, 1], filters: [4, 8], seed: 1 });
  const before = tf.memory().numTensors;
  const result = augmentationCheck(gaussianNoise({ std: 0.1 }), digits, {
    encoder,
    samples: 20
  });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(result.embedding);
  assert.ok(result.embedding.partnerRate >= 0 && result.embedding.partnerRate <= 1);
  const bundle = result.toBundle();
  assert.match(bundle['text/plain'], /positive-pair cosine/);
  assert.match(bundle['text/plain'], /embedding \(/);
  assert.ok(bundle['text/html']);
  assert.ok(bundle['application/vnd.pretext.table+json']);
  encoder.dispose();
  assert.throws(
    () => augmentationCheck(simclrAugment(), digits, { sample: 3 } as never),
    /Unknown option/
  );
  assert.throws(() => augmentationCheck(simclrAugment(), digits.slice([0], [1])), PretextError);
});
