import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlflowClient } from '../../../kernel/src/tracking/mlflow-client';
import { redactUri } from '../../../kernel/src/tracking/mlflow-http';
import { freePort } from './mlflow-server';

test('credentials never show in the URI the client prints and stores', () => {
  assert.equal(redactUri('http://alice:s3cret@mlflow.example:5000/'), 'http://mlflow.example:5000');
  const client = new MlflowClient('http://alice:s3cret@127.0.0.1:5000', { env: {} });
  assert.equal(client.uri, 'http://127.0.0.1:5000');
});

test('an unreachable server is a PretextError naming the address and the fix', async () => {
  const client = new MlflowClient(`http://127.0.0.1:${await freePort()}`);
  await assert.rejects(
    client.experimentByName('x'),
    /Cannot reach the MLflow tracking server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\.\nFix: Check that the server runs/
  );
});
