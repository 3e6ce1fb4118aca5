/**
 * The Jupyter server extension that reads the tracking server for the side panel: a real
 * `jupyter server` with jupyterlab_pretext.server enabled, a real `mlflow server`, one tracked
 * run; the API needs Jupyter's token and refuses a URL passed from the browser.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { MlflowClient } from '../../kernel/src/tracking/mlflow-client';
import { freePort, startMlflow, type MlflowServer } from '../kernel/tracking/mlflow-server';

const REPO = path.resolve(__dirname, '..', '..');
const token = randomBytes(16).toString('hex');
let dir = '';
let mlflow: MlflowServer;
let jupyter: ChildProcess | undefined;
let base = '';
let mlflowRunId = '';

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-serverext-'));
  mlflow = await startMlflow(dir);
  const client = new MlflowClient(mlflow.uri);
  const experimentId = await client.ensureExperiment('panel');
  const run = await client.createRun({
    experimentId,
    runName: 'shared run',
    tags: [
      { key: 'pretext.method', value: 'simclr' },
      { key: 'pretext.runId', value: '20261201-000000-simclr-abcd' }
    ]
  });
  mlflowRunId = run.info.run_id;
  await client.logBatch(mlflowRunId, {
    metrics: [1, 2, 3].map(step => ({ key: 'loss', value: 1 / step, timestamp: 0, step }))
  });
  await client.updateRun(mlflowRunId, 'FINISHED', Date.now());
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // Enabled by the config file the package installs, as on a user's machine.
  const configDir = path.join(dir, 'jupyter-config');
  fs.mkdirSync(path.join(configDir, 'jupyter_server_config.d'), { recursive: true });
  fs.copyFileSync(
    path.join(REPO, 'jupyter-config', 'server-config', 'jupyterlab_pretext.json'),
    path.join(configDir, 'jupyter_server_config.d', 'jupyterlab_pretext.json')
  );
  const log = fs.openSync(path.join(dir, 'jupyter.log'), 'a');
  jupyter = spawn(
    path.join(REPO, '.venv', 'bin', 'jupyter'),
    [
      'server',
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      `--ServerApp.root_dir=${dir}`,
      '--allow-root',
      `--IdentityProvider.token=${token}`
    ],
    {
      cwd: dir,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: mlflow.uri,
        PYTHONPATH: REPO,
        JUPYTER_CONFIG_DIR: configDir
      }
    }
  );
  fs.closeSync(log);
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const r = await fetch(`${base}/api/status?token=${token}`);
      if (r.ok) break;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline || jupyter.exitCode !== null) {
      throw new Error(fs.readFileSync(path.join(dir, 'jupyter.log'), 'utf8'));
    }
    await new Promise(r => setTimeout(r, 300));
  }
});

after(async () => {
  if (jupyter?.pid !== undefined && jupyter.exitCode === null) {
    const exited = new Promise(resolve => jupyter!.once('exit', resolve));
    process.kill(-jupyter.pid, 'SIGKILL');
    await exited;
  }
  await mlflow?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const auth = { Authorization: `token ${token}` };

test('the panel API lists the tracking server runs and their loss curve', async () => {
  const response = await fetch(`${base}/pretext/api/tracking/runs`, { headers: auth });
  assert.equal(response.status, 200, await response.clone().text());
  const body = (await response.json()) as {
    trackingUri: string;
    runs: {
      source: string;
      id: string;
      name: string;
      method: string;
      localRunId: string;
      status: string;
      finalLoss: number;
    }[];
  };
  assert.equal(body.trackingUri, mlflow.uri);
  const row = body.runs.find(r => r.id === mlflowRunId)!;
  assert.equal(row.source, 'mlflow');
  assert.equal(row.name, 'shared run');
  assert.equal(row.method, 'simclr');
  assert.equal(row.localRunId, '20261201-000000-simclr-abcd');
  assert.equal(row.status, 'FINISHED');
  assert.ok(Math.abs(row.finalLoss - 1 / 3) < 1e-9);
  const metrics = await fetch(`${base}/pretext/api/tracking/runs/${mlflowRunId}/metrics?key=loss`, {
    headers: auth
  });
  const history = ((await metrics.json()) as { history: { step: number; value: number }[] })
    .history;
  assert.deepEqual(
    history.map(h => h.step),
    [1, 2, 3]
  );
});

test("the API needs Jupyter's token and reads only the configured tracking server", async () => {
  const anonymous = await fetch(`${base}/pretext/api/tracking/runs`);
  assert.equal(anonymous.status, 403);
  for (const name of ['uri', 'url', 'host']) {
    const elsewhere = await fetch(
      `${base}/pretext/api/tracking/runs?${name}=${encodeURIComponent('http://169.254.169.254/')}`,
      { headers: auth }
    );
    assert.equal(elsewhere.status, 400, name);
    assert.match(await elsewhere.text(), /only reads the tracking server/);
  }
  const badId = await fetch(`${base}/pretext/api/tracking/runs/..%2F..%2Fx/metrics`, {
    headers: auth
  });
  assert.equal(badId.status, 404);
});
