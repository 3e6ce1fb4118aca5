import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../../../kernel/src/backend/tf';
import { splitForSsl, type ImageDataset } from '../../../kernel/src/data/dataset';
import {
  drawSubset,
  FINE_TUNE_RECIPE,
  labelEfficiency,
  LabelEfficiencyReport
} from '../../../kernel/src/eval/label-efficiency';
import { supervisedEpochs } from '../../../kernel/src/eval/supervised';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { MIME } from '../../../kernel/src/render/mime';
import { SHAPE_CLASSES, shapeImages } from '../tasks/shapes';

test('drawSubset is class-balanced, seeded and stays inside the pool', () => {
  const labels = Int32Array.from({ length: 300 }, (_, i) => i % 3);
  const pool = Int32Array.from({ length: 240 }, (_, i) => i + 60);
  const a = drawSubset(pool, labels, 3, n => Math.round(n * 0.1), 1);
  assert.equal(a.length, 24);
  assert.deepEqual(
    [0, 1, 2].map(c => Array.from(a).filter(i => labels[i] === c).length),
    [8, 8, 8]
  );
  assert.ok(Array.from(a).every(i => i >= 60));
  assert.deepEqual(
    drawSubset(pool, labels, 3, n => Math.round(n * 0.1), 1),
    a
  );
  assert.notDeepEqual(
    drawSubset(pool, labels, 3, n => Math.round(n * 0.1), 2),
    a
  );
});

test('labelEfficiency runs every protocol on the same subsets, per seed, without leaking tensors', async () => {
  const { images, labels } = shapeImages(160, 12, 3);
  const data: ImageDataset = { name: 'shapes', inputs: images, labels, classNames: SHAPE_CLASSES };
  const split = splitForSsl(data, { seed: 0 });
  const encoder = convEncoder({ inputShape: [12, 12, 1], filters: [8, 16], seed: 1 });
  const before = tf.memory().numTensors;
  const report = await labelEfficiency(encoder, data, split, {
    fractions: [0.1],
    labelsPerClass: [5],
    seeds: [0, 1],
    epochs: 25,
    minSteps: 0,
    batchSize: 32,
    learningRate: 3e-3,
    probeEpochs: 30,
    name: 'toy',
    display: false
  });
  assert.equal(tf.memory().numTensors, before);
  const budgets = [...new Set(report.results.map(r => r.budget))];
  assert.deepEqual(budgets, ['10%', '5 per class', '100%']);
  const protocols = report.results.filter(r => r.budget === '10%').map(r => r.protocol);
  assert.deepEqual(protocols, [
    'linear probe (frozen toy)',
    'fine-tuned toy',
    'supervised from scratch'
  ]);
  assert.deepEqual(
    report.results.filter(r => r.budget === '100%').map(r => r.protocol),
    ['supervised from scratch']
  );
  for (const r of report.results) {
    assert.equal(r.accuracies.length, 2);
    assert.ok(Math.abs(r.mean - (r.accuracies[0] + r.accuracies[1]) / 2) < 1e-12);
    assert.ok(Math.abs(r.std - Math.abs(r.accuracies[0] - r.accuracies[1]) / Math.SQRT2) < 1e-12);
  }
  assert.equal(report.results.find(r => r.budget === '5 per class')!.labeled, 20);
  // Easy shapes with every label: well above the 25% chance level (a broken loop stays near it).
  assert.ok(
    report.accuracy('100%', 'supervised from scratch') > 0.45,
    `100%: ${report.accuracy('100%', 'supervised from scratch')}`
  );
  const table = report.toBundle();
  assert.match(table['text/plain'], /Label efficiency/);
  assert.match(table['text/plain'], /same subsets for every protocol/);
  assert.match(table['text/plain'], /Fine-tuning recipe: head on features standardised/);
  assert.deepEqual(report.protocol.fineTuneRecipe, FINE_TUNE_RECIPE);
  const chart = await report.chart().toBundle();
  assert.ok(MIME.chart in chart);
  assert.match(chart['image/svg+xml'] as string, /labels available/);
  assert.throws(() => report.accuracy('50%', 'x'), /No result for budget '50%'/);
});

test('labelEfficiency rejects bad options before training', async () => {
  const { images, labels } = shapeImages(40, 12, 3);
  const data: ImageDataset = { name: 'shapes', inputs: images, labels };
  const split = splitForSsl(data, { seed: 0 });
  const encoder = convEncoder({ inputShape: [12, 12, 1], filters: [4], seed: 1 });
  await assert.rejects(
    labelEfficiency(encoder, data, split, { fractions: [0] }),
    /fractions must be in \(0, 1\]/
  );
  await assert.rejects(
    labelEfficiency(encoder, data, split, { seed: 1 } as never),
    /Unknown option 'seed'[\s\S]*seeds/
  );
  await assert.rejects(
    labelEfficiency(encoder, { name: 'u', inputs: images }, split),
    /needs the labeled dataset/
  );
  await assert.rejects(
    labelEfficiency(encoder, data, split, { fineTuneRecipe: { probe: 3 } as never }),
    /Unknown option 'probe'/
  );
  await assert.rejects(
    labelEfficiency(encoder, data, split, { fineTuneRecipe: 'lpft' as never }),
    /fineTuneRecipe must be 'plain' or a recipe object/
  );
});

test('supervisedEpochs adds epochs until the step budget is met', () => {
  assert.equal(supervisedEpochs(20, 64, 10, 300), 300); // one step per epoch
  assert.equal(supervisedEpochs(240, 64, 10, 300), 75); // four steps per epoch
  assert.equal(supervisedEpochs(8000, 64, 10, 300), 10); // already enough
  assert.equal(supervisedEpochs(100, 64, 3, 0), 3);
});

test('LabelEfficiencyReport.margins compares the best pretrained protocol with from scratch per budget', () => {
  const row = (budget: string, protocol: string, accuracies: number[]) => {
    const m = accuracies.reduce((a, b) => a + b, 0) / accuracies.length;
    const s =
      accuracies.length < 2
        ? 0
        : Math.sqrt(accuracies.reduce((a, x) => a + (x - m) ** 2, 0) / (accuracies.length - 1));
    return { budget, labeled: 10, protocol, accuracies, mean: m, std: s };
  };
  const report = new LabelEfficiencyReport(
    [
      row('1%', 'linear probe (frozen SimCLR)', [0.8, 0.82]),
      row('1%', 'fine-tuned SimCLR', [0.84, 0.86]),
      row('1%', 'supervised from scratch', [0.6, 0.62]),
      row('10%', 'linear probe (frozen SimCLR)', [0.9, 0.91]),
      row('10%', 'supervised from scratch', [0.905, 0.925]),
      row('100%', 'supervised from scratch', [0.98, 0.98])
    ],
    { seeds: [0, 1] } as never
  );
  const margins = report.margins();
  assert.deepEqual(
    margins.map(m => [m.budget, m.protocol, m.beyondSpread]),
    [
      ['1%', 'fine-tuned SimCLR', true],
      ['10%', 'linear probe (frozen SimCLR)', false]
    ]
  );
  assert.ok(Math.abs(margins[0].margin - 0.24) < 1e-9);
  assert.ok(margins[1].margin < 0);
  const summary = report.marginSummary().split('\n');
  assert.match(
    summary[0],
    /^1% labels: fine-tuned SimCLR 85\.0% vs from scratch 61\.0% \(\+24\.0 points, beyond the seed spread\): pretraining is ahead\.$/
  );
  assert.match(
    summary[1],
    /-1\.0 points, within the seed spread\): pretraining does not beat from scratch/
  );
  // One seed measures no spread: never "beyond" it, and the summary says it was one seed.
  const single = new LabelEfficiencyReport(
    [row('1%', 'linear probe (frozen SimCLR)', [0.8]), row('1%', 'supervised from scratch', [0.6])],
    { seeds: [0] } as never
  );
  assert.equal(single.margins()[0].beyondSpread, false);
  assert.match(single.marginSummary(), /\(\+20\.0 points, one seed\): pretraining is ahead\.$/);
});
