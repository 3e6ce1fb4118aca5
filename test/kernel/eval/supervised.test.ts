import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type LayersModel, type Tensor } from '../../../kernel/src/backend/tf';
import {
  classifierAccuracy,
  cloneEncoder,
  describeRecipe,
  rateFactor,
  trainClassifier
} from '../../../kernel/src/eval/supervised';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { PretextError } from '../../../kernel/src/util/errors';
import { shapeImages } from '../tasks/shapes';

const weightsOf = (m: LayersModel) => m.getWeights().map((w: Tensor) => Array.from(w.dataSync()));

test('rateFactor warms up linearly, then stays constant or decays by cosine to 0', () => {
  assert.equal(rateFactor(0, 100, 10, false), 0.1);
  assert.equal(rateFactor(9, 100, 10, true), 1);
  assert.equal(rateFactor(50, 100, 10, false), 1);
  assert.ok(Math.abs(rateFactor(10, 100, 10, true) - 1) < 1e-12);
  assert.ok(Math.abs(rateFactor(55, 100, 10, true) - 0.5) < 1e-12);
  assert.ok(rateFactor(100, 100, 10, true) < 1e-12);
  assert.equal(rateFactor(0, 100, 0, false), 1);
});

test('LP-FT: the probe phase trains only the head; encoder rate 0 keeps the encoder fixed', async () => {
  const { images, labels } = shapeImages(48, 12, 3);
  const encoder = convEncoder({ inputShape: [12, 12, 1], filters: [4, 8], seed: 1 });
  const start = weightsOf(encoder);
  const before = tf.memory().numTensors;
  // Every step is a probe step: the encoder must not move, the head must learn.
  const probed = await cloneEncoder(encoder, true);
  const head = await trainClassifier(probed, images, labels, 4, {
    epochs: 40,
    batchSize: 16,
    learningRate: 1e-2,
    probeSteps: 1000,
    seed: 0
  });
  assert.deepEqual(weightsOf(probed), start);
  // The same head before any step (epochs 0) fits the labels worse.
  const untrained = await trainClassifier(probed, images, labels, 4, { epochs: 0, seed: 0 });
  const loss = (h: LayersModel) =>
    tf.tidy(() => {
      const logits = h.predict(probed.predict(images) as Tensor) as Tensor;
      const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 4);
      return tf.losses.softmaxCrossEntropy(y, logits).dataSync()[0];
    });
  assert.ok(loss(head) < loss(untrained) - 0.05, `${loss(head)} vs ${loss(untrained)}`);
  assert.ok(classifierAccuracy(probed, head, images, labels) >= 0.25);
  head.dispose();
  untrained.dispose();
  const frozen = await trainClassifier(probed, images, labels, 4, {
    epochs: 2,
    batchSize: 16,
    encoderLearningRate: 0,
    seed: 0
  });
  assert.deepEqual(weightsOf(probed), start);
  frozen.dispose();
  // After the probe phase the encoder moves, by its own (lower) rate.
  const tuned = await trainClassifier(probed, images, labels, 4, {
    epochs: 2,
    batchSize: 16,
    probeSteps: 3,
    encoderLearningRate: 1e-4,
    warmupSteps: 2,
    cosine: true,
    seed: 0
  });
  assert.notDeepEqual(weightsOf(probed), start);
  tuned.dispose();
  probed.dispose();
  assert.equal(tf.memory().numTensors, before);
  await assert.rejects(
    trainClassifier(encoder, images, labels, 4, { epochs: 1, probeSteps: -1 }),
    PretextError
  );
  encoder.dispose();
  images.dispose();
});

test('describeRecipe lists only what differs from plain training', () => {
  assert.deepEqual(describeRecipe({}), {});
  assert.deepEqual(
    describeRecipe({
      probeSteps: 100,
      probeLearningRate: 1e-2,
      encoderLearningRate: 1e-4,
      cosine: true
    }),
    { probeSteps: 100, probeLearningRate: 1e-2, encoderLearningRate: 1e-4, cosine: true }
  );
  // A probe rate without a probe phase changes nothing, so it is not listed.
  assert.deepEqual(describeRecipe({ probeLearningRate: 1e-2 }), {});
});

test('standardize puts a frozen (features - mean) / std layer in front of the head', async () => {
  const { images, labels } = shapeImages(32, 12, 5);
  const encoder = convEncoder({ inputShape: [12, 12, 1], filters: [4, 8], seed: 2 });
  const before = tf.memory().numTensors;
  const head = await trainClassifier(encoder, images, labels, 4, {
    epochs: 1,
    batchSize: 16,
    standardize: true,
    encoderLearningRate: 0,
    seed: 0
  });
  assert.equal(head.layers.length, 2);
  assert.equal(head.layers[0].trainable, false);
  const [mean, std] = tf.tidy(() => {
    const scaled = head.layers[0].apply(encoder.predict(images) as Tensor) as Tensor;
    const { mean: m, variance } = tf.moments(scaled, 0);
    return [m.abs().max().dataSync()[0], tf.sqrt(variance).mean().dataSync()[0]];
  });
  assert.ok(mean < 1e-3, `mean ${mean}`);
  assert.ok(Math.abs(std - 1) < 0.05, `std ${std}`);
  head.dispose();
  assert.equal(tf.memory().numTensors, before);
  encoder.dispose();
  images.dispose();
});
