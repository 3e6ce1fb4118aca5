/**
 * The linear probe's protocol on features already trained (no retraining): each feature file
 * that `PRETEXT_QUALITY_FEATURES=<prefix> npm run bench:quality` wrote (<prefix>-<seed>.f32,
 * every MNIST-10k image's features), probed at one label fraction over several class-balanced
 * draws with unit-length rows (the default) and with raw rows, draw for draw.
 *
 *   node --import tsx bench/quality/probe-study.ts --fraction 0.01 --draws 4 /tmp/f-0.f32 /tmp/f-1.f32
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { tf, type Tensor2D, type Tensor4D } from '../../kernel/src/backend/tf';
import { splitForSsl } from '../../kernel/src/data/dataset';
import { loadMnist } from '../../kernel/src/datasets/mnist';
import { drawSubset } from '../../kernel/src/eval/label-efficiency';
import { linearProbe } from '../../kernel/src/eval/linear-probe';
import { mean, meanStd } from './scoring';

const { values: args, positionals: files } = parseArgs({
  allowPositionals: true,
  options: {
    fraction: { type: 'string', default: '0.01' },
    draws: { type: 'string', default: '4' }
  }
});
const FRACTION = Number(args.fraction);
const DRAWS = Number(args.draws);
if (files.length === 0) {
  throw new Error('probe-study: name at least one feature file (<prefix>-<seed>.f32).');
}

const mnist = loadMnist();
const labels = mnist.labels!;
const n = (mnist.inputs as Tensor4D).shape[0];
const split = splitForSsl(mnist as never, { testFraction: 0.2, seed: 0 }) as {
  indices: { unlabeled: Int32Array; test: Int32Array };
};
const { unlabeled: pool, test } = split.indices;
const testY = Int32Array.from(test, i => labels[i]);
const scores = { l2: [] as number[], none: [] as number[] };
let wins = 0;
for (const file of files) {
  const bytes = readFileSync(file);
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const features = tf.tensor2d(values, [n, values.length / n]);
  const testX = tf.gather(features, tf.tensor1d(test, 'int32')) as Tensor2D;
  for (let draw = 0; draw < DRAWS; draw++) {
    const rows = drawSubset(pool, labels, 10, k => Math.max(1, Math.round(k * FRACTION)), draw);
    const trainX = tf.gather(features, tf.tensor1d(rows, 'int32')) as Tensor2D;
    const trainY = Int32Array.from(rows, i => labels[i]);
    const probe = (normalize: 'l2' | 'none') =>
      linearProbe({ trainX, trainY, testX, testY, numClasses: 10, seed: draw, normalize }).accuracy;
    const [unit, raw] = [probe('l2'), probe('none')];
    scores.l2.push(unit);
    scores.none.push(raw);
    wins += unit > raw ? 1 : 0;
    trainX.dispose();
  }
  tf.dispose([features, testX]);
}
console.log(
  `${files.length} feature file(s) x ${DRAWS} draws at ${FRACTION * 100}% of the labels: ` +
    `unit-length rows ${meanStd(scores.l2)}, raw rows ${meanStd(scores.none)}; ` +
    `unit-length better on ${wins} of ${scores.l2.length} draws (mean difference ${(100 * (mean(scores.l2) - mean(scores.none))).toFixed(2)} points)`
);
