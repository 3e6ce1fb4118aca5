import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Scalar } from '../../../kernel/src/backend/tf';
import { loadSpamAssassin } from '../../../kernel/src/datasets/spam-assassin';
import { unlabeled } from '../../../kernel/src/data/dataset';
import { mlpEncoder } from '../../../kernel/src/models/mlp-encoder';
import { transformerEncoder } from '../../../kernel/src/models/transformer-encoder';
import { fillMask, mlm } from '../../../kernel/src/tasks/mlm';
import { createTask, METHODS } from '../../../kernel/src/tasks/registry';
import { textDataset } from '../../../kernel/src/text/text-dataset';
import { trainTokenizer } from '../../../kernel/src/text/tokenizer';
import { train } from '../../../kernel/src/train/train';
import { PretextError } from '../../../kernel/src/util/errors';

const corpus = loadSpamAssassin({ perClass: 48, seed: 1 });
const tokenizer = trainTokenizer(corpus.texts, { vocabSize: 600, maxLength: 32 });
const data = textDataset(corpus, tokenizer);
const encoder = () =>
  transformerEncoder({
    vocabSize: tokenizer.vocabSize,
    maxLength: 32,
    dim: 32,
    heads: 2,
    layers: 1,
    seed: 1
  });

test('textDataset encodes a corpus as int32 ids with its labels', () => {
  assert.deepEqual(data.inputs.shape, [96, 32]);
  assert.equal(data.inputs.dtype, 'int32');
  assert.deepEqual(data.classNames, ['ham', 'spam']);
  assert.equal(data.labels!.length, 96);
  assert.deepEqual(
    Array.from(data.inputs.slice([0, 0], [1, 32]).dataSync()),
    Array.from(tokenizer.encode(corpus.texts[0]))
  );
});

test('mlm trains on real e-mails: finite loss that falls, no tensor leak, repeatable', async () => {
  const task = mlm({ encoder: encoder(), tokenizer, seed: 2 });
  const options = {
    epochs: 10,
    batchSize: 16,
    learningRate: 3e-3,
    display: false,
    runStore: false as const
  };
  const first = await train(task, unlabeled(data), options);
  const losses = first.history.map(p => p.loss);
  assert.ok(losses.every(Number.isFinite), 'no NaN');
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  assert.ok(Math.log(tokenizer.vocabSize) - losses[0] < 0.5, `starts near chance: ${losses[0]}`);
  assert.ok(
    mean(losses.slice(-6)) < mean(losses.slice(0, 6)) - 0.5,
    `loss falls: ${losses.map(l => l.toFixed(2))}`
  );
  const before = tf.memory().numTensors;
  await train(task, unlabeled(data), { ...options, epochs: 2 });
  assert.equal(tf.memory().numTensors, before, 'tensor count flat');
  // Same seed → same loss on the same batch.
  const batch = data.inputs.slice([0, 0], [8, 32]);
  const a = tf.tidy(() => task.loss(batch, 5).dataSync()[0]);
  const b = tf.tidy(() => task.loss(batch, 5).dataSync()[0]);
  assert.equal(a, b);
  const blanks = fillMask(task, tokenizer, 'click [MASK] to be removed', 3);
  assert.equal(blanks.length, 1);
  assert.equal(blanks[0].predictions.length, 3);
  assert.ok(blanks[0].predictions[0].probability >= blanks[0].predictions[2].probability);
  batch.dispose();
  task.dispose();
});

test('mlm is in the catalog and createTask; its state variables are named stably', () => {
  const info = METHODS.find(m => m.name === 'mlm');
  assert.ok(info);
  assert.equal(info.modality, 'text');
  assert.match(info.snippet, /\{\{epochs\}\}/);
  assert.match(info.snippet, /\{\{batchSize\}\}/);
  assert.match(info.snippet, /createTask\('mlm'/);
  const e = encoder();
  const task = createTask('mlm', { encoder: e, tokenizer: tokenizer });
  assert.equal(task.method, 'mlm');
  const names = Object.keys(task.stateVariables!());
  assert.ok(names.includes('encoder/0') && names.some(n => n.startsWith('head/')));
  assert.equal(task.trainableVariables().length, e.trainableWeights.length + 6);
  assert.deepEqual(task.config(), {
    method: 'mlm',
    maskRate: 0.15,
    vocabSize: tokenizer.vocabSize,
    maxLength: 32,
    encoder: e.name
  });
  task.dispose();
});

test('mlm rejects the wrong encoder, vocabulary, lengths and batches with a fix', () => {
  assert.throws(
    () => mlm({ encoder: mlpEncoder({ inputDim: 4, hidden: [4] }) }),
    /not a transformer text encoder/
  );
  assert.throws(() => mlm({ encoder: encoder(), vocabSize: 10 }), /embeds 600|embeds/);
  const short = trainTokenizer(corpus.texts.slice(0, 10), { vocabSize: 600, maxLength: 16 });
  assert.throws(() => mlm({ encoder: encoder(), tokenizer: short }), PretextError);
  assert.throws(() => mlm({ encoder: encoder(), maskRate: 0 }), /maskRate/);
  assert.throws(() => mlm({ encoder: encoder(), rate: 0.1 } as never), /Unknown option 'rate'/);
  const task = mlm({ encoder: encoder() });
  const floats = tf.zeros([2, 32]);
  assert.throws(() => task.loss(floats, 0), /int32 token ids/);
  const wrongLength = tf.zeros([2, 8], 'int32');
  assert.throws(() => task.loss(wrongLength, 0), /rows have 8 tokens/);
  const empty = tf.tensor2d([[2, 3, ...new Array(30).fill(0)]], undefined, 'int32');
  assert.throws(() => task.loss(empty, 0) as Scalar, /no real tokens/);
  assert.throws(() => fillMask(task, tokenizer, 'no blank here'), /\[MASK\]/);
  tf.dispose([floats, wrongLength, empty]);
  task.dispose();
});
