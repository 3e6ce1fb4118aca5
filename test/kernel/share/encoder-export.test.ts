import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { twoRunsFixture } from '../runs/two-runs';
import { tf, type Tensor } from '../../../kernel/src/backend/tf';
import { exportEncoder } from '../../../kernel/src/share/encoder-export';
import { loadEncoder, modelCard } from '../../../kernel/src/share/encoder-load';

const runs = twoRunsFixture('pretext-share-');

test('an exported encoder loads back by run id with the same outputs and a model card', async () => {
  const { root, first } = runs;
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
  const { root, second } = runs;
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
