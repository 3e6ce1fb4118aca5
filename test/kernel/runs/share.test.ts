import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { tf, type Tensor, type Tensor4D } from '../../../kernel/src/backend/tf';
import type { ImageDataset } from '../../../kernel/src/data/dataset';
import { MIME } from '../../../kernel/src/render/mime';
import { compareRuns } from '../../../kernel/src/runs/compare';
import { exportEncoder, loadEncoder, modelCard } from '../../../kernel/src/runs/encoder-export';
import { train, type TrainResult } from '../../../kernel/src/train/train';
import { fakeTask } from '../train/fake-task';

let root = '';
let first: TrainResult;
let second: TrainResult;
const data: ImageDataset = {
  name: 'random 4x4',
  inputs: tf.randomUniform([32, 4, 4, 1], 0, 1, 'float32', 3) as Tensor4D
};

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-share-'));
  first = await train(fakeTask(), data, {
    epochs: 2,
    batchSize: 8,
    display: false,
    runStore: root,
    runName: 'baseline'
  });
  second = await train(fakeTask(), data, {
    epochs: 3,
    batchSize: 8,
    display: false,
    runStore: root,
    learningRate: 0.01
  });
});

after(() => fs.rmSync(root, { recursive: true, force: true }));

test('compareRuns tabulates runs and overlays their loss curves', async () => {
  const comparison = await compareRuns([first.runId!, second.runId!], { root, display: false });
  const table = comparison.toBundle()[MIME.table] as {
    rows: { run: string; steps: number; learningRate: number }[];
  };
  assert.equal(table.rows.length, 2);
  assert.match(table.rows[0].run, /^baseline \(/);
  assert.deepEqual(
    table.rows.map(r => r.steps),
    [8, 12]
  );
  assert.deepEqual(
    table.rows.map(r => r.learningRate),
    [0.001, 0.01]
  );
  const chart = await comparison.chart().toBundle();
  const curves = (chart[MIME.chart] as { spec: { datasets: { curves: { run: string }[] } } }).spec
    .datasets.curves;
  assert.equal(new Set(curves.map(c => c.run)).size, 2);
  assert.match(chart['image/svg+xml'] as string, /^<svg/);
  await assert.rejects(compareRuns([], { root }), /needs a list of run ids/);
  await assert.rejects(compareRuns(['no-such-run'], { root, display: false }), /no-such-run/);
});

test('an exported encoder loads back by run id with the same outputs and a model card', async () => {
  const encoder = first.task.encoder;
  const card = await exportEncoder(encoder, { runId: first.runId!, root, notes: 'toy' });
  const dir = path.join(root, first.runId!, 'encoder');
  for (const file of ['model.json', 'weights.bin', 'MODEL_CARD.md', 'model-card.json']) {
    assert.ok(fs.existsSync(path.join(dir, file)), file);
  }
  assert.deepEqual(
    fs
      .readdirSync(path.join(root, first.runId!))
      .filter(f => f.includes('.tmp') || f.includes('.old-')),
    []
  );
  assert.match(card.markdown(), new RegExp(`run ${first.runId}`));
  assert.match(card.markdown(), /random 4x4: 32 unlabeled examples/);
  assert.equal(modelCard(first.runId!, { root }).data.run.steps, 8);

  const loaded = await loadEncoder(first.runId!, { root });
  const x = tf.randomUniform([5, 4, 4, 1], 0, 1, 'float32', 9);
  const diff = tf.tidy(
    () =>
      tf
        .sub(encoder.predict(x) as Tensor, loaded.predict(x) as Tensor)
        .abs()
        .max()
        .dataSync()[0]
  );
  assert.ok(diff < 1e-6, `loaded encoder differs by ${diff}`);
  // Exporting again replaces the previous export.
  await exportEncoder(encoder, { runId: first.runId!, root });
  assert.ok(fs.existsSync(path.join(dir, 'model.json')));
});

test('loading a run without an export, or a corrupt export, fails clearly and touches nothing', async () => {
  await assert.rejects(
    loadEncoder(second.runId!, { root }),
    /has no exported encoder[\s\S]*Fix: Export it/
  );
  assert.throws(() => modelCard(second.runId!, { root }), /has no model card/);
  await exportEncoder(second.task.encoder, { runId: second.runId!, root });
  const modelJson = path.join(root, second.runId!, 'encoder', 'model.json');
  fs.writeFileSync(modelJson, '{ not json');
  await assert.rejects(loadEncoder(second.runId!, { root }), /could not be read/);
  assert.equal(fs.readFileSync(modelJson, 'utf8'), '{ not json');
  await assert.rejects(exportEncoder(second.task.encoder, {} as never), /needs the run id/);
});
