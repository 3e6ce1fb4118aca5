import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import { splitForSsl } from '../../../kernel/src/data/dataset';
import { evaluate } from '../../../kernel/src/eval/evaluate';
import { exportEncoder } from '../../../kernel/src/share/encoder-export';
import { train } from '../../../kernel/src/train/train';
import { fakeTask } from '../train/fake-task';
import { withTrackingEnv } from '../tracking/tracking-env';

const PYTHON = path.resolve(__dirname, '..', '..', '..', '.venv', 'bin', 'python');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-card-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

test('the exported card is a README.md with the Hub YAML header and its protocols', async () => {
  const inputs = tf.randomUniform([40, 4, 4, 1], 0, 1, 'float32', 2) as Tensor4D;
  const labels = Int32Array.from({ length: 40 }, (_, i) => i % 2);
  const data = { name: 'toy "digits": 4x4', inputs, labels };
  const run = await train(
    fakeTask(),
    { name: data.name, inputs },
    {
      epochs: 1,
      batchSize: 8,
      display: false,
      runStore: root
    }
  );
  const split = splitForSsl(data, { labelFraction: 0.5, seed: 0 });
  const report = await evaluate({ fake: run.task.encoder }, split, {
    k: 3,
    probeEpochs: 2,
    display: false
  });
  const card = await exportEncoder(run.task.encoder, {
    runId: run.runId!,
    root,
    reports: [report]
  });
  inputs.dispose();
  const readme = fs.readFileSync(path.join(root, run.runId!, 'encoder', 'README.md'), 'utf8');
  assert.equal(readme, card.readme());
  const [, header, body] = readme.split(/^---$/m);
  assert.match(body, /# Model card: .* \(run /);
  // Read the header with the YAML parser the Hub's own Python tools use.
  const parsed = spawnSync(
    PYTHON,
    ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin.read())))'],
    { input: header, encoding: 'utf8' }
  );
  assert.equal(parsed.status, 0, parsed.stderr);
  const meta = JSON.parse(parsed.stdout) as {
    library_name: string;
    tags: string[];
    datasets: string[];
    metrics: string[];
    'model-index': {
      results: { metrics: { type: string; value: number; name: string }[] }[];
    }[];
  };
  assert.equal(meta.library_name, 'tfjs');
  assert.ok(meta.tags.includes('self-supervised') && meta.tags.includes('fake'));
  assert.deepEqual(meta.datasets, ['toy "digits": 4x4']);
  assert.deepEqual(meta.metrics, ['accuracy']);
  const scores = meta['model-index'][0].results.flatMap(r => r.metrics);
  assert.equal(scores.length, 2);
  assert.match(scores[0].name, /fake: kNN \(cosine, k=3\) on frozen features, \d+ labels/);
  assert.equal(scores[0].value, report.accuracy('fake', 'knn'));
  assert.match(scores[1].name, /linear probe on frozen features/);
  assert.equal(scores[1].value, report.accuracy('fake', 'linearProbe'));
});

test('exportEncoder register options are checked before anything is written', async () => {
  await withTrackingEnv({}, async () => {
    const encoder = fakeTask().encoder;
    await assert.rejects(
      exportEncoder(encoder, { runId: 'x', root, alias: 'candidate' }),
      /alias but no register name/
    );
    await assert.rejects(
      exportEncoder(encoder, { runId: 'x', root, register: 'a b' }),
      /register must be a model name/
    );
    await assert.rejects(
      exportEncoder(encoder, { runId: 'x', root, register: 'ok' }),
      /no tracking server is configured[\s\S]*MLFLOW_TRACKING_URI/
    );
  });
});
