import assert from 'node:assert/strict';
import { test } from 'node:test';
import { experimentName, recordMetrics, runParams } from '../../../kernel/src/tracking/run-upload';

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
