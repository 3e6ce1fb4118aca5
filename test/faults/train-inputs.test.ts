/**
 * Fault cases: data that train() must refuse before the first step (no run folder is created,
 * the store is unchanged), each naming the problem, where it is and the fix.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf, type Tensor4D } from '../../kernel/src/backend/tf';
import type { Dataset } from '../../kernel/src/data/dataset';
import { transformerEncoder } from '../../kernel/src/models/transformer-encoder';
import { mlm } from '../../kernel/src/tasks/mlm';
import { textDataset } from '../../kernel/src/text/text-dataset';
import { trainTokenizer } from '../../kernel/src/text/tokenizer';
import { DataReport } from '../../kernel/src/data/report';
import { train } from '../../kernel/src/train/train';
import { fakeTask } from '../kernel/train/fake-task';
import { expectClearError } from './expect';

const store = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-faults-train-'));
after(() => fs.rmSync(store, { recursive: true, force: true }));
const options = { display: false, runStore: store, batchSize: 4, epochs: 1 } as const;
const unchanged = [store];

/** 16 images 4x4x1 in [0, 1], with `poison` applied to the flat values. */
function images(poison: (values: Float32Array) => void = () => undefined): Dataset {
  const values = new Float32Array(16 * 16).map((_, i) => ((i * 37) % 100) / 100);
  poison(values);
  return { name: 'pixels', inputs: tf.tensor4d(values, [16, 4, 4, 1]) };
}

test('NaN pixels: named by example, before the first step (was: "learning rate too high")', async () => {
  const data = images(v => {
    v[3 * 16 + 5] = NaN;
    v[7 * 16] = NaN;
  });
  await expectClearError(() => train(fakeTask(), data, options), {
    problem: /NaN or infinite values in 2 of 16 examples \(examples 3, 7\)/,
    fix: /Impute or drop/,
    unchanged
  });
});

test('an infinite value', async () => {
  const data = images(v => {
    v[100] = Infinity;
  });
  await expectClearError(() => train(fakeTask(), data, options), {
    problem: /in 1 of 16 examples \(examples 6\)/,
    fix: /tf\.where\(tf\.isFinite/,
    unchanged
  });
});

test('0..255 pixels where the augmentations expect [0, 1] (was: trained on saturated views)', async () => {
  const data = images(v => v.forEach((x, i) => (v[i] = Math.round(x * 255))));
  await expectClearError(() => train(fakeTask(), data, options), {
    problem: /values up to 252.*expect values in \[0, 1\].*0\.\.255 pixels/,
    fix: /div\(255\)/,
    unchanged
  });
});

test('a 1-example dataset: no batch size is suggested that fails again', async () => {
  const one: Dataset = { name: 'one', inputs: tf.randomUniform([1, 4, 4, 1]) as Tensor4D };
  const error = await expectClearError(() => train(fakeTask(), one, options), {
    problem: /has only 1 example; a training batch needs at least 2/,
    fix: /Load more data/,
    unchanged
  });
  assert.doesNotMatch(error.fix, /batchSize/);
});

test('batchSize larger than the data: the suggested batch size then works', async () => {
  const three: Dataset = { name: 'three', inputs: tf.randomUniform([3, 4, 4, 1]) as Tensor4D };
  const error = await expectClearError(
    () => train(fakeTask(), three, { ...options, batchSize: 8 }),
    {
      problem: /batchSize 8 is larger than the 3 examples/,
      fix: /Use batchSize 2 or less/,
      unchanged
    }
  );
  const suggested = Number(/batchSize (\d+)/.exec(error.fix)![1]);
  const result = await train(fakeTask(), three, {
    ...options,
    runStore: false,
    batchSize: suggested
  });
  assert.equal(result.status, 'done');
});

test('train: seed \'7\' says it got the string "7"', async () => {
  await expectClearError(
    () => train(fakeTask(), images(), { ...options, seed: '7' as unknown as number }),
    { problem: /got the string "7"/, fix: /seed: 7/, unchanged }
  );
});

test('a corpus whose tokens are all [UNK] is caught before training', async () => {
  const tokenizer = trainTokenizer(
    Array.from({ length: 20 }, () => 'alpha beta gamma delta'),
    { vocabSize: 40, maxLength: 8 }
  );
  const corpus = {
    name: 'other script',
    texts: ['ЖЖЖ ЩЩЩ', 'ЮЮ ЖЖ', 'ЩЖ ЮЖ', 'ЖЮЩ'],
    sources: ['a', 'b', 'c', 'd'],
    report: new DataReport('other script')
  };
  const data = textDataset(corpus, tokenizer);
  const task = mlm({
    encoder: transformerEncoder({
      vocabSize: tokenizer.vocabSize,
      maxLength: 8,
      dim: 8,
      heads: 2,
      layers: 1,
      ffnDim: 8
    }),
    tokenizer
  });
  await expectClearError(() => train(task, data, { ...options, batchSize: 2 }), {
    problem: /Every word token in 'other script' is \[UNK\] \(\d+ of them\)/,
    fix: /Train the tokenizer on this corpus/,
    unchanged
  });
});
