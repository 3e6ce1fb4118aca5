import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf, type LayersModel, type Tensor, type Tensor4D } from '../../../kernel/src/backend/tf';
import { compose } from '../../../kernel/src/augment/compose';
import { randomResizedCrop } from '../../../kernel/src/augment/geometric';
import { gaussianNoise } from '../../../kernel/src/augment/photometric';
import { splitForSsl } from '../../../kernel/src/data/dataset';
import { evaluate } from '../../../kernel/src/eval/evaluate';
import { cloneEncoder } from '../../../kernel/src/eval/supervised';
import { resnetEncoder } from '../../../kernel/src/models/resnet-encoder';
import { exportEncoder } from '../../../kernel/src/share/encoder-export';
import { loadEncoder } from '../../../kernel/src/share/encoder-load';
import { createTask, METHODS } from '../../../kernel/src/tasks/registry';
import { simclr } from '../../../kernel/src/tasks/simclr';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';
import { shapeImages } from '../tasks/shapes';

const SIZE = 12;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-resnet-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const augment = compose(randomResizedCrop({ scale: [0.6, 1] }), gaussianNoise({ std: 0.05 }));
const shapes = shapeImages(64, SIZE, 5);
const data = { name: 'shapes', inputs: shapes.images };
const small = (seed = 1) => resnetEncoder({ inputShape: [SIZE, SIZE, 1], widths: [8, 16], seed });
const weights = (m: LayersModel) => m.getWeights().map(w => Array.from(w.dataSync()));
const maxDiff = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

test('output shape, stages, strided 1x1 projection shortcuts and parameter count', () => {
  const m = resnetEncoder({ inputShape: [28, 28, 1], seed: 0 });
  assert.deepEqual(m.outputs[0].shape, [null, 64]);
  // Stem + one block per stage; the spatial size halves at stages 2 and 3.
  const shape = (name: string) => m.getLayer(name).outputShape;
  assert.deepEqual(shape('resnet_encoder_s1b1_add'), [null, 28, 28, 16]);
  assert.deepEqual(shape('resnet_encoder_s2b1_add'), [null, 14, 14, 32]);
  assert.deepEqual(shape('resnet_encoder_s3b1_add'), [null, 7, 7, 64]);
  const shortcut = m.getLayer('resnet_encoder_s2b1_shortcut');
  assert.deepEqual(shortcut.getWeights()[0].shape, [1, 1, 16, 32]);
  assert.deepEqual((shortcut.getConfig() as { strides: number[] }).strides, [2, 2]);
  // Stage 1 keeps its shape, so its shortcut is the identity (no projection layer).
  assert.throws(() => m.getLayer('resnet_encoder_s1b1_shortcut'));
  // 3x3 stem 160 + stage 1: 2 x 2,320 + stage 2: 4,640 + 9,248 + 544 + stage 3: 18,496 +
  // 36,928 + 2,112.
  assert.equal(m.countParams(), 160 + 4640 + 14432 + 57536);

  const deep = resnetEncoder({
    inputShape: [32, 32, 3],
    widths: [8, 16],
    blocksPerStage: 2,
    embeddingDim: 24,
    name: 'deep'
  });
  assert.deepEqual(deep.outputs[0].shape, [null, 24]);
  assert.equal(deep.layers.filter(l => l.getClassName() === 'Add').length, 4);
  const out = deep.predict(tf.zeros([3, 32, 32, 3])) as Tensor;
  assert.deepEqual(out.shape, [3, 24]);
  out.dispose();
  m.dispose();
  deep.dispose();
});

test('each block adds its residual branch to the shortcut; zero-init makes blocks start as identities', () => {
  const m = resnetEncoder({ inputShape: [6, 6, 2], widths: [4], seed: 3 });
  const x = tf.randomUniform([2, 6, 6, 2], 0, 1, 'float32', 4) as Tensor4D;
  const stem = tf.model({
    inputs: m.inputs,
    outputs: m.getLayer('resnet_encoder_stem_relu').output
  });
  const conv = (input: Tensor, layer: string) => {
    const [kernel, bias] = m.getLayer(layer).getWeights();
    return tf.add(tf.conv2d(input as Tensor4D, kernel as never, 1, 'same'), bias);
  };
  const manual = () =>
    tf.tidy(() => {
      const s = stem.predict(x) as Tensor4D;
      const branch = tf.relu(conv(s, 'resnet_encoder_s1b1_conv1'));
      return tf.mean(tf.relu(tf.add(s, conv(branch, 'resnet_encoder_s1b1_conv2'))), [1, 2]);
    });
  const gapOfStem = tf.tidy(() => tf.mean(stem.predict(x) as Tensor, [1, 2]));
  const out0 = m.predict(x) as Tensor;
  assert.ok(maxDiff(out0, gapOfStem) < 1e-6, 'at init the block is the identity');
  // Give the branch's last conv weights: the output is relu(shortcut + branch), not either alone.
  const conv2 = m.getLayer('resnet_encoder_s1b1_conv2');
  conv2.setWeights([tf.randomNormal([3, 3, 4, 4], 0, 0.5, 'float32', 5), tf.fill([4], 0.1)]);
  const out1 = m.predict(x) as Tensor;
  const expected = manual();
  assert.ok(maxDiff(out1, expected) < 1e-5, `residual sum differs by ${maxDiff(out1, expected)}`);
  assert.ok(maxDiff(out1, gapOfStem) > 1e-2, 'the branch contributes');
  tf.dispose([x, out0, out1, expected, gapOfStem]);
  m.dispose();
});

test('the same seed gives the same encoder; another seed, other weights; bad options are named', () => {
  const [a, b, c] = [small(7), small(7), small(8)];
  assert.deepEqual(weights(a), weights(b));
  assert.notDeepEqual(weights(a)[0], weights(c)[0]);
  // Each layer draws its own seed: two same-shaped kernels differ.
  const kernel = (name: string) => Array.from(a.getLayer(name).getWeights()[0].dataSync());
  assert.notDeepEqual(kernel('resnet_encoder_s1b1_conv1'), kernel('resnet_encoder_s2b1_conv2'));
  for (const m of [a, b, c]) {
    m.dispose();
  }

  const bad: [Record<string, unknown>, RegExp][] = [
    [{ inputShape: [28, 28] }, /inputShape must be \[height, width, channels\][\s\S]*Fix:/],
    [{ widths: [] }, /widths must be a non-empty list of positive integers/],
    [{ widths: [16, 0] }, /widths must be a non-empty list/],
    [{ blocksPerStage: 0 }, /blocksPerStage must be a positive integer, got 0/],
    [{ embeddingDim: 2.5 }, /embeddingDim must be a positive integer/],
    [{ batchNorm: 'yes' }, /batchNorm must be true or false/],
    [{ seed: Number.NaN }, /seed must be a finite number/],
    [{ name: '1net' }, /name must start with a letter/],
    [{ width: [8] }, /Unknown option 'width' for resnetEncoder[\s\S]*widths/]
  ];
  for (const [extra, message] of bad) {
    assert.throws(
      () => resnetEncoder({ inputShape: [SIZE, SIZE, 1], ...extra } as never),
      (e: unknown) => e instanceof PretextError && message.test(e.message),
      `expected ${message}`
    );
  }
  assert.throws(() => resnetEncoder(undefined as never), /needs an options object/);
});

test('trains with SimCLR: the loss falls, no NaN, and the tensor count stays flat', async () => {
  const encoder = small(1);
  const task = simclr({ encoder, augment, seed: 2 });
  const options = {
    epochs: 6,
    batchSize: 16,
    learningRate: 3e-3,
    display: false,
    runStore: false as const
  };
  const losses = (await train(task, data, options)).history.map(p => p.loss);
  assert.ok(losses.every(Number.isFinite));
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  assert.ok(
    mean(losses.slice(-4)) < mean(losses.slice(0, 4)),
    `loss should fall: ${losses.map(l => l.toFixed(3))}`
  );
  const before = tf.memory().numTensors;
  await train(task, data, { ...options, epochs: 1 });
  assert.equal(tf.memory().numTensors, before);
  task.dispose();
  encoder.dispose();
});

test('works with every image task, with batch norm, and with clone, export/load and evaluate', async () => {
  const few = { name: 'shapes', inputs: shapes.images.slice([0, 0, 0, 0], [16, -1, -1, -1]) };
  for (const { name, usesAugment } of METHODS.filter(m => m.modality === 'image')) {
    for (const batchNorm of [false, true]) {
      const encoder = resnetEncoder({
        inputShape: [SIZE, SIZE, 1],
        widths: [4, 8],
        batchNorm,
        seed: 1
      });
      const options = usesAugment ? { encoder, augment } : { encoder };
      const task = createTask(name, name === 'moco' ? { ...options, queueSize: 16 } : options);
      const result = await train(task, few, {
        epochs: 2,
        batchSize: 8,
        display: false,
        runStore: false
      });
      assert.ok(
        result.history.every(p => Number.isFinite(p.loss)),
        `${name}${batchNorm ? ' + batch norm' : ''}: finite losses`
      );
      task.dispose();
      encoder.dispose();
    }
  }
  tf.dispose(few.inputs);

  const encoder = small(2);
  const run = await train(simclr({ encoder, augment, seed: 1 }), data, {
    epochs: 1,
    batchSize: 16,
    display: false,
    runStore: root
  });
  const x = shapes.images.slice([0, 0, 0, 0], [5, -1, -1, -1]);
  const clone = await cloneEncoder(encoder, true);
  await exportEncoder(encoder, { runId: run.runId!, root });
  const loaded = await loadEncoder(run.runId!, { root });
  const [y, yc, yl] = [encoder, clone, loaded].map(m => m.predict(x) as Tensor);
  assert.ok(maxDiff(y, yc) < 1e-6, 'cloneEncoder copies architecture and weights');
  assert.ok(maxDiff(y, yl) < 1e-6, 'the exported encoder loads back with the same outputs');

  const split = splitForSsl(
    { name: 'shapes', inputs: shapes.images, labels: shapes.labels },
    { labelFraction: 0.5, seed: 0 }
  );
  const report = await evaluate({ resnet: encoder }, split, { probeEpochs: 5, display: false });
  const scores = report.scores[0];
  assert.ok(scores.knn >= 0 && scores.knn <= 1 && scores.linearProbe >= 0);
  tf.dispose([x, y, yc, yl]);
  run.task.dispose();
  for (const m of [encoder, clone, loaded]) {
    m.dispose();
  }
});
