/**
 * The Jupyter server extension that reads the tracking server for the side panel: a real
 * `jupyter server` with jupyterlab_pretext.server enabled, a real `mlflow server`, one tracked
 * run; the API needs Jupyter's token and refuses a URL passed from the browser. A second server,
 * started with no tracking variable, reads the URI from the user's Settings > Pretext file.
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
let envServer: Jupyter | undefined;
let settingsServer: Jupyter | undefined;
let settingsDir = '';
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
  // The second server reads the URI only from the user's settings file (JSON5, as JupyterLab
  // writes it), found under <config dir>/lab/user-settings; the first one from its environment,
  // which wins over a settings file that names another server.
  const fromEnv = path.join(dir, 'env-server');
  writeSettings(path.join(fromEnv, 'settings'), 'http://127.0.0.1:9/');
  const fromSettings = path.join(dir, 'settings-server');
  settingsDir = path.join(fromSettings, 'jupyter-config', 'lab', 'user-settings');
  writeSettings(settingsDir, mlflow.uri.replace('http://', 'http://reader:secret@'));
  [envServer, settingsServer] = await Promise.all([
    startJupyter(fromEnv, {
      MLFLOW_TRACKING_URI: mlflow.uri,
      JUPYTERLAB_SETTINGS_DIR: path.join(fromEnv, 'settings')
    }),
    startJupyter(fromSettings, {})
  ]);
  base = envServer.base;
});

/** Writes Settings > Pretext as JupyterLab does, with a comment (JSON5). */
function writeSettings(folder: string, trackingUri: string | undefined): void {
  const file = path.join(folder, 'jupyterlab-pretext', 'plugin.jupyterlab-settings');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const entry = trackingUri === undefined ? '' : `"trackingUri": ${JSON.stringify(trackingUri)},`;
  fs.writeFileSync(file, `{\n  // Pretext\n  "runStoreRoot": "runs",\n  ${entry}\n}\n`);
}

interface Jupyter {
  base: string;
  process: ChildProcess;
  folder: string;
}

/** A real `jupyter server` with the extension enabled by the file the package installs. */
async function startJupyter(folder: string, env: Record<string, string>): Promise<Jupyter> {
  const port = await freePort();
  const configDir = path.join(folder, 'jupyter-config');
  fs.mkdirSync(path.join(configDir, 'jupyter_server_config.d'), { recursive: true });
  fs.copyFileSync(
    path.join(REPO, 'jupyter-config', 'server-config', 'jupyterlab_pretext.json'),
    path.join(configDir, 'jupyter_server_config.d', 'jupyterlab_pretext.json')
  );
  const inherited = { ...process.env };
  for (const name of ['MLFLOW_TRACKING_URI', 'PRETEXT_TRACKING_URI', 'JUPYTERLAB_SETTINGS_DIR']) {
    delete inherited[name];
  }
  const logFile = path.join(folder, 'jupyter.log');
  const log = fs.openSync(logFile, 'a');
  const child = spawn(
    path.join(REPO, '.venv', 'bin', 'jupyter'),
    [
      'server',
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      `--ServerApp.root_dir=${folder}`,
      '--allow-root',
      `--IdentityProvider.token=${token}`
    ],
    {
      cwd: folder,
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...inherited, PYTHONPATH: REPO, JUPYTER_CONFIG_DIR: configDir, ...env }
    }
  );
  fs.closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/api/status?token=${token}`);
      if (r.ok) {
        break;
      }
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      throw new Error(fs.readFileSync(logFile, 'utf8'));
    }
    await new Promise(r => setTimeout(r, 300));
  }
  return { base: url, process: child, folder };
}

async function stopJupyter(jupyter: Jupyter | undefined): Promise<void> {
  const child = jupyter?.process;
  if (child?.pid !== undefined && child.exitCode === null) {
    const exited = new Promise(resolve => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGKILL');
    await exited;
  }
}

after(async () => {
  await stopJupyter(envServer);
  await stopJupyter(settingsServer);
  await mlflow?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const auth = { Authorization: `token ${token}` };

test('the panel API lists the tracking server runs and their loss curve', async () => {
  const response = await fetch(`${base}/pretext/api/tracking/runs`, { headers: auth });
  assert.equal(response.status, 200, await response.clone().text());
  const body = (await response.json()) as {
    trackingUri: string;
    uriSource: string;
    available: boolean;
    runs: {
      source: string;
      id: string;
      name: string;
      method: string;
      localRunId: string;
      status: string;
      finalLoss: number;
      steps: number;
    }[];
  };
  assert.equal(body.trackingUri, mlflow.uri);
  // The environment wins over the settings file (which names a dead port).
  assert.equal(body.uriSource, 'MLFLOW_TRACKING_URI');
  assert.equal(body.available, true);
  const row = body.runs.find(r => r.id === mlflowRunId)!;
  assert.equal(row.source, 'mlflow');
  assert.equal(row.name, 'shared run');
  assert.equal(row.method, 'simclr');
  assert.equal(row.localRunId, '20261201-000000-simclr-abcd');
  assert.equal(row.status, 'FINISHED');
  assert.ok(Math.abs(row.finalLoss - 1 / 3) < 1e-9);
  assert.equal(row.steps, 3);
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
  // JupyterLab's cache buster (a bare timestamp) is not an argument; with a value it is one.
  const busted = await fetch(`${base}/pretext/api/tracking/runs?1796172164329`, { headers: auth });
  assert.equal(busted.status, 200);
  const disguised = await fetch(`${base}/pretext/api/tracking/runs?123=http://169.254.169.254/`, {
    headers: auth
  });
  assert.equal(disguised.status, 400);
  const badId = await fetch(`${base}/pretext/api/tracking/runs/..%2F..%2Fx/metrics`, {
    headers: auth
  });
  assert.equal(badId.status, 404);
});

interface IRunsReply {
  trackingUri: string | null;
  host: string | null;
  uriSource: string | null;
  available: boolean;
  problem: string | null;
  runs: { id: string }[];
}

async function runsOf(server: Jupyter): Promise<IRunsReply> {
  const response = await fetch(`${server.base}/pretext/api/tracking/runs`, { headers: auth });
  // Not configured or unreachable is a state to show, not an error to poll into the console.
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as IRunsReply;
}

test('with no env var, the endpoint reads the server named in Settings > Pretext', async () => {
  const body = await runsOf(settingsServer!);
  assert.equal(body.uriSource, 'settings');
  assert.equal(body.available, true, body.problem ?? '');
  // The credentials in the setting are used, never shown.
  assert.equal(body.trackingUri, mlflow.uri);
  assert.equal(body.host, `127.0.0.1:${mlflow.port}`);
  assert.ok(!JSON.stringify(body).includes('secret'));
  assert.ok(body.runs.some(r => r.id === mlflowRunId));
  const metrics = await fetch(
    `${settingsServer!.base}/pretext/api/tracking/runs/${mlflowRunId}/metrics?key=loss`,
    { headers: auth }
  );
  assert.equal(metrics.status, 200);
});

test('a changed setting applies at the next request; a dead or missing server is a quiet state', async () => {
  try {
    const dead = await freePort();
    writeSettings(settingsDir, `http://127.0.0.1:${dead}`);
    const down = await runsOf(settingsServer!);
    assert.equal(down.available, false);
    assert.equal(down.host, `127.0.0.1:${dead}`);
    assert.match(down.problem ?? '', new RegExp(`Cannot reach the tracking server .*:${dead}`));
    assert.deepEqual(down.runs, []);

    writeSettings(settingsDir, undefined);
    const none = await runsOf(settingsServer!);
    assert.equal(none.available, false);
    assert.equal(none.uriSource, null);
    assert.match(none.problem ?? '', /no tracking server is configured/);

    writeSettings(settingsDir, 'file:./mlruns');
    const wrong = await runsOf(settingsServer!);
    assert.equal(wrong.uriSource, 'settings');
    assert.match(wrong.problem ?? '', /not an http\(s\) address/);
  } finally {
    writeSettings(settingsDir, mlflow.uri);
  }
});
