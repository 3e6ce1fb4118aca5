import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chunkByLimits,
  MlflowClient,
  redactUri,
  resolveTrackingUri
} from '../../../kernel/src/tracking/mlflow-client';
import { experimentName, recordMetrics, runParams } from '../../../kernel/src/tracking/run-upload';
import { freePort } from './mlflow-server';

test('chunks keep under the item limit and the byte budget', () => {
  const items = Array.from({ length: 2500 }, (_, i) => ({ key: 'loss', value: i }));
  const byCount = chunkByLimits(items, 1000, 1_000_000);
  assert.deepEqual(
    byCount.map(c => c.length),
    [1000, 1000, 500]
  );
  const big = Array.from({ length: 5 }, () => ({ key: 'x', value: 'y'.repeat(400_000) }));
  const byBytes = chunkByLimits(big, 100, 1_000_000);
  assert.deepEqual(
    byBytes.map(c => c.length),
    [2, 2, 1]
  );
  assert.deepEqual(byBytes.flat(), big);
});

test('credentials never show in the URI the client prints and stores', () => {
  assert.equal(redactUri('http://alice:s3cret@mlflow.example:5000/'), 'http://mlflow.example:5000');
  const client = new MlflowClient('http://alice:s3cret@127.0.0.1:5000', { env: {} });
  assert.equal(client.uri, 'http://127.0.0.1:5000');
});

test('the tracking URI: option, else MLFLOW_TRACKING_URI, false for none, http(s) only', () => {
  assert.equal(resolveTrackingUri(undefined, {}), undefined);
  assert.equal(resolveTrackingUri(undefined, { MLFLOW_TRACKING_URI: 'http://h:1' }), 'http://h:1');
  assert.equal(resolveTrackingUri('https://x', { MLFLOW_TRACKING_URI: 'http://h:1' }), 'https://x');
  assert.equal(resolveTrackingUri(false, { MLFLOW_TRACKING_URI: 'http://h:1' }), undefined);
  assert.throws(() => resolveTrackingUri('databricks', {}), /not an http\(s\) address[\s\S]*Fix:/);
});

test('experiment name: given, MLFLOW_EXPERIMENT_NAME, the notebook, or pretext', () => {
  assert.equal(experimentName('mine', { MLFLOW_EXPERIMENT_NAME: 'env' }), 'mine');
  assert.equal(experimentName(undefined, { MLFLOW_EXPERIMENT_NAME: 'env' }), 'env');
  assert.equal(
    experimentName(undefined, { JPY_SESSION_NAME: '/home/a/01-quickstart.ipynb' }),
    '01-quickstart'
  );
  assert.equal(experimentName(undefined, {}), 'pretext');
});

test('params are flat, unique and within the server limits; records become metrics', () => {
  const params = runParams({
    method: 'simclr',
    task: { temperature: 0.2, augment: { crop: [0.2, 1] }, long: 'z'.repeat(9000) },
    options: { epochs: 3, schedule: { kind: 'cosine' } },
    dataset: { name: 'mnist', size: 10, shape: [28, 28, 1] },
    seed: 1,
    environment: { backend: 'tensorflow', packages: { 'tfjs-core': '4.22.0' } }
  });
  const byKey = Object.fromEntries(params.map(p => [p.key, p.value]));
  assert.equal(byKey['task.augment.crop'], '[0.2,1]');
  assert.equal(byKey['options.schedule.kind'], 'cosine');
  assert.equal(byKey['backend.packages.tfjs-core'], '4.22.0');
  assert.equal(byKey['task.long'].length, 6000);
  assert.equal(new Set(params.map(p => p.key)).size, params.length);
  assert.deepEqual(
    recordMetrics({ step: 3, epoch: 1, loss: 0.5, lr: 0.1, knn: NaN }, 7).map(m => m.key),
    ['loss', 'lr']
  );
});

test('an unreachable server is a PretextError naming the address and the fix', async () => {
  const client = new MlflowClient(`http://127.0.0.1:${await freePort()}`);
  await assert.rejects(
    client.experimentByName('x'),
    /Cannot reach the MLflow tracking server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\.\nFix: Check that the server runs/
  );
});
