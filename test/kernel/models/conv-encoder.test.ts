import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Scalar, type Tensor } from '../../../kernel/src/backend/tf';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { projectionHead } from '../../../kernel/src/models/heads';
import { checkBatchShape, modelInputShape, modelOutputDim } from '../../../kernel/src/models/shape';
import { modelVariables } from '../../../kernel/src/models/variables';
import { PretextError } from '../../../kernel/src/util/errors';

test('convEncoder maps [B, H, W, C] images to [B, D] features', () => {
  const enc = convEncoder({ inputShape: [28, 28, 1], filters: [8, 16] });
  const x = tf.zeros([3, 28, 28, 1]);
  const y = enc.predict(x) as Tensor;
  assert.deepEqual(y.shape, [3, 16]);
  assert.equal(modelOutputDim(enc), 16);
  assert.deepEqual(modelInputShape(enc), [28, 28, 1]);
  assert.equal(enc.name, 'conv_encoder');
  tf.dispose([x, y]);
  enc.dispose();

  const withEmbedding = convEncoder({
    inputShape: [12, 10, 3],
    filters: [4, 4, 4],
    embeddingDim: 7,
    name: 'tiny'
  });
  const z = tf.tidy(() => withEmbedding.predict(tf.ones([2, 12, 10, 3])) as Tensor);
  assert.deepEqual(z.shape, [2, 7]);
  assert.equal(withEmbedding.name, 'tiny');
  z.dispose();
  withEmbedding.dispose();
});

test('convEncoder defaults: three stages 32/64/128 without batch norm; batchNorm: true adds it', () => {
  const enc = convEncoder({ inputShape: [16, 16, 1], batchNorm: true });
  assert.equal(modelOutputDim(enc), 128);
  const kinds = enc.layers.map(l => l.getClassName());
  assert.equal(kinds.filter(k => k === 'Conv2D').length, 3);
  assert.equal(kinds.filter(k => k === 'BatchNormalization').length, 3);
  assert.equal(kinds.filter(k => k === 'MaxPooling2D').length, 2);
  const plain = convEncoder({ inputShape: [16, 16, 1] });
  assert.equal(plain.layers.filter(l => l.getClassName() === 'BatchNormalization').length, 0);
  assert.equal(modelOutputDim(plain), 128);
  assert.equal(plain.trainableWeights.length, 6, 'kernel and bias per conv');
  enc.dispose();
  plain.dispose();
});

test('the same seed builds the same encoder; two encoders with the same name coexist', () => {
  const a = convEncoder({ inputShape: [8, 8, 1], filters: [4], seed: 1 });
  const b = convEncoder({ inputShape: [8, 8, 1], filters: [4], seed: 1 });
  const c = convEncoder({ inputShape: [8, 8, 1], filters: [4], seed: 2 });
  const wa = a.getWeights()[0].dataSync();
  assert.deepEqual(b.getWeights()[0].dataSync(), wa);
  assert.notDeepEqual(c.getWeights()[0].dataSync(), wa);
  const x = tf.randomUniform([2, 8, 8, 1]);
  const ya = a.predict(x) as Tensor;
  const yb = b.predict(x) as Tensor;
  assert.deepEqual(ya.dataSync(), yb.dataSync());
  tf.dispose([x, ya, yb]);
  [a, b, c].forEach(m => m.dispose());
});

test('batch norm trains inside optimizer.minimize: moving stats update, no tensors leak', () => {
  const enc = convEncoder({ inputShape: [8, 8, 1], filters: [4, 8], seed: 0, batchNorm: true });
  const vars = modelVariables(enc);
  assert.ok(vars.every(v => v instanceof tf.Variable && v.trainable));
  // The optimiser must get the model's own variables, not copies.
  assert.equal(vars[0], enc.trainableWeights[0].read());
  // Moving mean/variance are weights but not trainable ones.
  assert.equal(enc.weights.length - enc.trainableWeights.length, 4);
  const movingMean = () =>
    enc.layers
      .find(l => l.getClassName() === 'BatchNormalization')!
      .getWeights()[2]
      .dataSync();
  const initialMean = movingMean();
  const x = tf.randomUniform([16, 8, 8, 1], 0, 1, 'float32', 1);
  const opt = tf.train.adam(0.01);
  const counts: number[] = [];
  const losses: number[] = [];
  for (let step = 0; step < 6; step++) {
    const cost = opt.minimize(
      () =>
        tf.tidy(
          () => tf.mean(tf.square(tf.sub(enc.apply(x, { training: true }) as Tensor, 1))) as Scalar
        ),
      true,
      vars
    )!;
    losses.push(cost.dataSync()[0]);
    cost.dispose();
    counts.push(tf.memory().numTensors);
  }
  assert.equal(counts[5], counts[2], `tensor counts ${counts}`);
  assert.ok(losses[5] < losses[0], `losses ${losses}`);
  assert.notDeepEqual(movingMean(), initialMean);
  opt.dispose();
  x.dispose();
  enc.dispose();
});

test('convEncoder rejects bad options with PretextError', () => {
  const bad = [
    { inputShape: [28, 28] },
    { inputShape: [28, 28, 0] },
    { inputShape: [28, 28.5, 1] },
    { inputShape: [28, 28, 1], filters: [] },
    { inputShape: [28, 28, 1], filters: [8, -1] },
    { inputShape: [28, 28, 1], embeddingDim: 0 },
    { inputShape: [28, 28, 1], name: 'has space' },
    { inputShape: [28, 28, 1], filter: [8] }
  ];
  for (const options of bad) {
    assert.throws(() => convEncoder(options as never), PretextError, JSON.stringify(options));
  }
  assert.throws(() => convEncoder({ inputShape: [28, 28] as never }), /three positive integers/);
});

test('checkBatchShape names the mismatch and the fix', () => {
  const enc = convEncoder({ inputShape: [28, 28, 1], filters: [4] });
  const rgb = tf.zeros([2, 32, 32, 3]);
  const noBatch = tf.zeros([28, 28, 1]);
  const noChannel = tf.zeros([5, 28, 28]);
  const ints = tf.zeros([2, 28, 28, 1], 'int32');
  const good = tf.zeros([2, 28, 28, 1]);
  assert.throws(
    () => checkBatchShape(enc, rgb),
    (e: unknown) =>
      e instanceof PretextError &&
      e.problem === "Images are 32x32x3 but the encoder 'conv_encoder' expects 28x28x1." &&
      e.fix === 'Build the encoder with inputShape [32,32,3] or resize the data.'
  );
  assert.throws(() => checkBatchShape(enc, noBatch), /expandDims\(0\)/);
  assert.throws(() => checkBatchShape(enc, noChannel), /expandDims\(-1\)/);
  assert.throws(() => checkBatchShape(enc, ints), /float32/);
  checkBatchShape(enc, good);
  tf.dispose([rgb, noBatch, noChannel, ints, good]);
  assert.throws(() => checkBatchShape(enc, good), /disposed/);
  enc.dispose();
});

test('projectionHead is a dense-relu-dense MLP of the requested sizes', () => {
  const head = projectionHead(16, { hidden: 32, output: 8, seed: 3 });
  const y = tf.tidy(() => head.predict(tf.ones([5, 16])) as Tensor);
  assert.deepEqual(y.shape, [5, 8]);
  assert.deepEqual(
    head.layers.map(l => [l.getClassName(), (l.getConfig() as { units: number }).units]),
    [
      ['Dense', 32],
      ['Dense', 8]
    ]
  );
  assert.equal((head.layers[0].getConfig() as { activation: string }).activation, 'relu');
  y.dispose();
  head.dispose();
  assert.equal(modelOutputDim(projectionHead(4)), 64);
  assert.throws(() => projectionHead(0), PretextError);
  assert.throws(() => projectionHead(8, { output: 2.5 }), PretextError);
  assert.throws(() => projectionHead(8, { outputs: 4 } as never), /Unknown option/);
});

test('projectionHead with batchNorm normalises the hidden layer over the batch before its ReLU', () => {
  const head = projectionHead(6, { hidden: 12, output: 4, seed: 1, batchNorm: true });
  assert.deepEqual(
    head.layers.map(l => l.getClassName()),
    ['Dense', 'BatchNormalization', 'ReLU', 'Dense']
  );
  assert.equal((head.layers[0].getConfig() as { useBias: boolean }).useBias, false);
  // In training the hidden pre-activations have zero mean per unit over the batch, whatever
  // the scale of the input: the BN layer sees the batch, not its moving averages.
  const hidden = tf.tidy(() => {
    const x = tf.mul(tf.randomNormal([64, 6], 5, 3, 'float32', 2), 100);
    const bnOut = head.layers[1].apply(head.layers[0].apply(x), { training: true }) as Tensor;
    return tf.moments(bnOut, 0);
  });
  const means = hidden.mean.dataSync();
  const variances = hidden.variance.dataSync();
  assert.ok(
    means.every(m => Math.abs(m) < 1e-3),
    `per-unit means ${Array.from(means)}`
  );
  assert.ok(
    variances.every(v => Math.abs(v - 1) < 1e-2),
    `per-unit variances ${Array.from(variances)}`
  );
  tf.dispose([hidden.mean, hidden.variance]);
  head.dispose();
  assert.throws(() => projectionHead(6, { batchNorm: 'yes' } as never), PretextError);
});
