/**
 * Pretext on a real MLflow tracking server (mlflow server from .venv, SQLite + artifact folder
 * in a temp dir): tracked runs, a server killed mid-run and syncRuns(), split log calls, and
 * the registry hand-off to a second process in another folder with no access to ./runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { tf, type Tensor, type Tensor4D } from '../../kernel/src/backend/tf';
import { train } from '../../kernel/src/train/train';
import { writeJsonAtomic } from '../../kernel/src/runs/files';
import { createRun, openRunStore } from '../../kernel/src/runs/store';
import { exportEncoder } from '../../kernel/src/share/encoder-export';
import { loadEncoder } from '../../kernel/src/share/encoder-load';
import { mlflowCallback } from '../../kernel/src/train/callbacks/mlflow';
import { MlflowClient } from '../../kernel/src/tracking/mlflow-client';
import { readTracking } from '../../kernel/src/tracking/run-upload';
import { syncRuns } from '../../kernel/src/tracking/sync';
import { trainTracked } from '../kernel/tracking/train-tracked';
import { freePort, startMlflow, type MlflowServer } from '../kernel/tracking/mlflow-server';
import { withTrackingEnv, writeSettings } from '../kernel/tracking/tracking-env';

const REPO = path.resolve(__dirname, '..', '..');
let dir = '';
let root = '';
let server: MlflowServer;
let client: MlflowClient;
/** The local run registered in the hand-off test. */
let handoffRunId = '';

/** The developer's own tracking configuration, kept out of these tests. */
const savedEnv = Object.fromEntries(
  ['PRETEXT_TRACKING_URI', 'MLFLOW_TRACKING_URI', 'JUPYTERLAB_SETTINGS_DIR'].map(n => [
    n,
    process.env[n]
  ])
);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-mlflow-'));
  delete process.env.PRETEXT_TRACKING_URI;
  delete process.env.MLFLOW_TRACKING_URI;
  process.env.JUPYTERLAB_SETTINGS_DIR = path.join(dir, 'no-settings');
  root = path.join(dir, 'runs');
  server = await startMlflow(dir, { auth: true });
  // MLflow's own variables, as a user would set them; process B inherits them.
  process.env.MLFLOW_TRACKING_USERNAME = server.admin!.username;
  process.env.MLFLOW_TRACKING_PASSWORD = server.admin!.password;
  client = new MlflowClient(server.uri);
});

after(async () => {
  delete process.env.MLFLOW_TRACKING_USERNAME;
  delete process.env.MLFLOW_TRACKING_PASSWORD;
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const steps = async (runId: string, key: string) =>
  (await client.metricHistory(runId, key)).map(m => m.step).sort((a, b) => a - b);

test('a tracked run is an MLflow run: params, every step, monitors, tags, files', async () => {
  const lines: string[] = [];
  const callback = mlflowCallback({
    tracking: server.uri,
    experiment: 'tracking',
    flushEvery: 5,
    log: line => lines.push(line)
  });
  const { runId, runDir } = await trainTracked({
    root,
    callbacks: [callback],
    epochs: 3,
    stepsPerEpoch: 4,
    runName: 'tracked',
    monitor: true
  });
  assert.deepEqual(lines, []);
  assert.equal(callback.stats.behind, false);
  const mlflowRunId = readTracking(runDir)!.servers[server.uri].mlflowRunId;
  assert.equal(callback.stats.mlflowRunId, mlflowRunId);
  const run = await client.getRun(mlflowRunId);
  assert.equal(run.info.status, 'FINISHED');
  assert.equal(run.info.run_name, 'tracked');
  const params = Object.fromEntries((run.data.params ?? []).map(p => [p.key, p.value]));
  assert.equal(params.method, 'fake');
  assert.equal(params['options.epochs'], '3');
  assert.equal(params.dataset, 'random 4x4');
  assert.equal(params.seed, '0');
  assert.equal(params['backend.backend'], 'tensorflow');
  const tags = Object.fromEntries((run.data.tags ?? []).map(t => [t.key, t.value]));
  assert.equal(tags['pretext.runId'], runId);
  assert.deepEqual(await steps(mlflowRunId, 'loss'), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  // Monitor values land on each epoch's last step, uploaded once they exist.
  assert.deepEqual(await steps(mlflowRunId, 'knn'), [4, 8, 12]);
  const files = (await client.listArtifacts(run.info.artifact_uri)).map(f => f.path).sort();
  assert.deepEqual(files, ['config.json', 'environment.json', 'metrics.jsonl', 'summary.json']);
  // A second sync finds nothing missing and sends nothing.
  const [again] = await syncRuns({ tracking: server.uri, root, runs: [runId] });
  assert.equal(again.action, 'up to date');
  assert.equal((await steps(mlflowRunId, 'loss')).length, 12);
  // Credentials never reach the run folder.
  for (const file of fs.readdirSync(runDir).filter(f => f.endsWith('.json'))) {
    assert.ok(!fs.readFileSync(path.join(runDir, file), 'utf8').includes(server.admin!.password));
  }
});

test('the server dies mid-run: training finishes locally, syncRuns() completes the copy', async () => {
  const lines: string[] = [];
  const callback = mlflowCallback({
    tracking: server.uri,
    experiment: 'outage',
    flushEvery: 2,
    log: line => lines.push(line)
  });
  const { runId, runDir, records } = await trainTracked({
    root,
    callbacks: [callback],
    epochs: 3,
    stepsPerEpoch: 4,
    monitor: true,
    beforeStep: async step => {
      if (step !== 6) {
        return;
      }
      // Once the first records are on the server, so the outage hits a run in progress.
      while (callback.stats.recordsUploaded === 0) {
        await new Promise(r => setTimeout(r, 20));
      }
      await server.stop();
    }
  });
  assert.equal(records.length, 12);
  assert.equal(openRunStore(root).get(runId).metrics().length, 12);
  assert.equal(callback.stats.behind, true);
  assert.ok(
    lines.some(l => /^Tracking is behind: Cannot reach the MLflow/.test(l)),
    lines[0]
  );
  assert.match(lines.at(-1)!, /has \d+ of 12 steps.*px\.syncRuns\(\)/);
  const copy = readTracking(runDir)!.servers[server.uri];
  assert.ok(copy.recordsUploaded > 0 && copy.recordsUploaded < 12, String(copy.recordsUploaded));
  assert.notEqual(copy.status, 'FINISHED');

  await server.restart();
  const [synced] = await syncRuns({ tracking: server.uri, root, runs: [runId] });
  assert.equal(synced.action, 'uploaded');
  assert.equal(synced.mlflowRunId, copy.mlflowRunId);
  assert.equal(synced.recordsUploaded, 12 - copy.recordsUploaded);
  const loss = await steps(copy.mlflowRunId, 'loss');
  assert.deepEqual(loss, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.deepEqual(await steps(copy.mlflowRunId, 'knn'), [4, 8, 12]);
  assert.equal((await client.getRun(copy.mlflowRunId)).info.status, 'FINISHED');
  // Idempotent: once more changes nothing, and the experiment holds one run for it.
  const all = await syncRuns({ tracking: server.uri, root });
  assert.ok(
    all.every(r => r.action === 'up to date'),
    JSON.stringify(all)
  );
  assert.equal((await steps(copy.mlflowRunId, 'loss')).length, 12);
  const experiment = await client.experimentByName('outage');
  assert.equal((await client.searchRuns([experiment!.experiment_id], '')).length, 1);
});

test('a resumed run continues its MLflow run: same run, no step twice', async () => {
  const first = await trainTracked({
    root,
    callbacks: [mlflowCallback({ tracking: server.uri, experiment: 'resume' })],
    epochs: 2,
    stepsPerEpoch: 3
  });
  const mlflowRunId = readTracking(first.runDir)!.servers[server.uri].mlflowRunId;
  const inputs = tf.randomUniform([12, 4, 4, 1], 0, 1, 'float32', 7) as Tensor4D;
  try {
    await train(
      first.task,
      { name: 'random 4x4', inputs },
      {
        epochs: 3,
        batchSize: 4,
        learningRate: 0.01,
        display: false,
        runStore: root,
        resume: first.runId,
        callbacks: [mlflowCallback({ tracking: server.uri, experiment: 'resume' })]
      }
    );
  } finally {
    inputs.dispose();
  }
  assert.equal(readTracking(first.runDir)!.servers[server.uri].mlflowRunId, mlflowRunId);
  assert.deepEqual(await steps(mlflowRunId, 'loss'), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal((await client.getRun(mlflowRunId)).info.status, 'FINISHED');
  const experiment = await client.experimentByName('resume');
  assert.equal((await client.searchRuns([experiment!.experiment_id], '')).length, 1);
});

test('a run too large for one log call is split within the server limits', async () => {
  const { id, dir: runDir } = createRun(root, {
    method: 'fake',
    task: { method: 'fake', note: 'x'.repeat(7000) },
    options: {},
    dataset: { name: 'big', size: 1, shape: [1] },
    seed: 0
  });
  const lines = Array.from({ length: 600 }, (_, i) =>
    JSON.stringify({ step: i + 1, epoch: 1, loss: 1 / (i + 1), lr: 0.001, gradNorm: 2, knn: 0.5 })
  );
  fs.writeFileSync(path.join(runDir, 'metrics.jsonl'), lines.join('\n') + '\n');
  writeJsonAtomic(path.join(runDir, 'summary.json'), {
    status: 'done',
    finalLoss: 0,
    steps: 600,
    epochs: 1,
    seconds: 1,
    updated: new Date().toISOString()
  });
  const [synced] = await syncRuns({ tracking: server.uri, root, runs: [id], experiment: 'big' });
  assert.equal(synced.recordsUploaded, 600);
  assert.equal((await client.metricHistory(synced.mlflowRunId, 'gradNorm')).length, 600);
  const run = await client.getRun(synced.mlflowRunId);
  const note = run.data.params!.find(p => p.key === 'task.note')!.value;
  assert.equal(note.length, 6000);
});

test('registry hand-off: process B in another folder loads models:/name@alias', async () => {
  const { runId, task } = await trainTracked({
    root,
    callbacks: [mlflowCallback({ tracking: server.uri, experiment: 'handoff' })],
    epochs: 2,
    stepsPerEpoch: 3
  });
  handoffRunId = runId;
  const card = await exportEncoder(task.encoder, {
    runId,
    root,
    register: 'tiny-fake',
    alias: 'candidate',
    tracking: server.uri
  });
  assert.equal(card.data.registry?.version, '1');
  assert.match(card.markdown(), /loadEncoder\('models:\/tiny-fake@candidate'\)/);
  const readme = fs.readFileSync(path.join(root, runId, 'encoder', 'README.md'), 'utf8');
  assert.match(readme, /^---\nlibrary_name: "tfjs"\n/);
  const batch = tf.tidy(() => tf.linspace(0, 1, 2 * 16).reshape([2, 4, 4, 1]));
  const output = task.encoder.predict(batch) as Tensor;
  const expected = Array.from(output.dataSync());
  tf.dispose([batch, output]);

  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-machine-b-'));
  const script = path.join(other, 'load.ts');
  fs.writeFileSync(
    script,
    [
      `import * as px from ${JSON.stringify(path.join(REPO, 'kernel', 'src', 'index.ts'))};`,
      'async function main() {',
      '  const out: Record<string, number[]> = {};',
      `  for (const ref of ['models:/tiny-fake@candidate', 'models:/tiny-fake/1', 'runs:/${card.data.registry!.mlflowRunId}/encoder']) {`,
      '    const encoder = await px.loadEncoder(ref);',
      '    const x = px.tf.linspace(0, 1, 32).reshape([2, 4, 4, 1]);',
      '    out[ref] = Array.from((encoder.predict(x) as px.Tensor).dataSync());',
      '  }',
      '  console.log(JSON.stringify({ out, runs: px.openRunStore().list().length, cwd: process.cwd() }));',
      '}',
      'main().catch(e => { console.error(e); process.exit(1); });'
    ].join('\n')
  );
  const result = spawnSync(
    process.execPath,
    ['--import', path.join(REPO, 'node_modules', 'tsx', 'dist', 'loader.mjs'), script],
    {
      cwd: other,
      encoding: 'utf8',
      env: {
        ...process.env,
        MLFLOW_TRACKING_URI: server.uri,
        PRETEXT_RUNS: '',
        TF_CPP_MIN_LOG_LEVEL: '2'
      },
      timeout: 180_000
    }
  );
  fs.rmSync(other, { recursive: true, force: true });
  assert.equal(result.status, 0, result.stderr);
  const answer = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
    out: Record<string, number[]>;
    runs: number;
    cwd: string;
  };
  assert.equal(answer.runs, 0, 'process B sees no local runs');
  assert.notEqual(answer.cwd, process.cwd());
  for (const values of Object.values(answer.out)) {
    assert.deepEqual(values, expected);
  }
});

test('registry errors name the problem and the fix', async () => {
  await assert.rejects(
    loadEncoder('models:/no-such-model@candidate', { tracking: server.uri }),
    /no registered model 'no-such-model'[\s\S]*Fix: Check the name/
  );
  await assert.rejects(
    loadEncoder('models:/tiny-fake@champion', { tracking: server.uri }),
    /has no alias 'champion'[\s\S]*@candidate \(version 1\)/
  );
  await assert.rejects(
    loadEncoder('models:/tiny-fake', { tracking: server.uri }),
    /models:\/<name>@<alias>/
  );
  // A version whose artifacts are missing.
  const version = await client.modelVersion('tiny-fake', '1');
  const broken = await client.createModelVersion(
    'tiny-fake',
    version.source.replace(/encoder$/, 'gone'),
    version.run_id
  );
  await client.setAlias('tiny-fake', 'broken', broken.version);
  await assert.rejects(
    loadEncoder('models:/tiny-fake@broken', { tracking: server.uri }),
    /points at artifacts that are missing[\s\S]*no model\.json[\s\S]*Fix: Export and register/
  );
  const closed = `http://127.0.0.1:${await freePort()}`;
  await assert.rejects(
    loadEncoder('models:/tiny-fake@candidate', { tracking: closed }),
    /Cannot reach the MLflow tracking server at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/
  );
  await assert.rejects(syncRuns({ tracking: 'file:./mlruns', root }), /not an http\(s\) address/);
});

test('exporting the same run again makes a new version with its own files', async () => {
  const v1 = await client.modelVersion('tiny-fake', '1');
  const encoder = await loadEncoder('models:/tiny-fake/1', { tracking: server.uri });
  const card = await exportEncoder(encoder, {
    runId: handoffRunId,
    root,
    register: 'tiny-fake',
    alias: 'candidate',
    tracking: server.uri
  });
  assert.equal(card.data.registry?.version, '3');
  const v3 = await client.versionByAlias('tiny-fake', 'candidate');
  assert.equal(v3.version, '3');
  assert.match(v3.source, /\/encoder-2$/);
  const files = (await client.listArtifacts(v1.source)).map(f => f.path);
  assert.ok(files.includes('model.json'), files.join(', '));
  encoder.dispose();
});

test('wrong or weak credentials: 401 and 403 name the fix, and training goes on', async () => {
  const experiment = await client.experimentByName('tracking');
  const wrong = new MlflowClient(server.uri, {
    env: { MLFLOW_TRACKING_USERNAME: 'admin', MLFLOW_TRACKING_PASSWORD: 'not-it' }
  });
  await assert.rejects(
    wrong.createRun({ experimentId: experiment!.experiment_id }),
    /refused the request \(401 unauthenticated\)[\s\S]*Fix: Set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME/
  );
  const created = await fetch(`${server.uri}/api/2.0/mlflow/users/create`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Authorization: `Basic ${Buffer.from(`admin:${server.admin!.password}`).toString('base64')}`
    },
    body: JSON.stringify({ username: 'reader', password: 'reader-password-1' })
  });
  assert.ok(created.ok, await created.text());
  const reader = new MlflowClient(server.uri, {
    env: { MLFLOW_TRACKING_USERNAME: 'reader', MLFLOW_TRACKING_PASSWORD: 'reader-password-1' }
  });
  await assert.rejects(
    reader.createRun({ experimentId: experiment!.experiment_id }),
    /refused the request \(403 forbidden\)/
  );
  const lines: string[] = [];
  process.env.MLFLOW_TRACKING_PASSWORD = 'not-it';
  try {
    const { records } = await trainTracked({
      root,
      callbacks: [mlflowCallback({ tracking: server.uri, log: line => lines.push(line) })],
      epochs: 1,
      stepsPerEpoch: 3
    });
    assert.equal(records.length, 3);
  } finally {
    process.env.MLFLOW_TRACKING_PASSWORD = server.admin!.password;
  }
  assert.match(lines[0], /^Tracking is behind: The MLflow server .* refused the request \(401/);
  assert.ok(lines.every(l => !l.includes('not-it')));
});

test('Settings > Pretext alone names the server: train, syncRuns and loadEncoder use it', async () => {
  await withTrackingEnv({}, async settings => {
    writeSettings(settings, `{\n  // Tracking URI\n  "trackingUri": "${server.uri}",\n}\n`);
    // No tracking option and no callback: the built-in tracking callback reads the setting.
    const { runId, runDir, task } = await trainTracked({
      root,
      callbacks: [],
      epochs: 1,
      stepsPerEpoch: 3
    });
    const copy = readTracking(runDir)!.servers[server.uri];
    assert.equal(copy.recordsUploaded, 3);
    assert.deepEqual(await steps(copy.mlflowRunId, 'loss'), [1, 2, 3]);
    const [synced] = await syncRuns({ root, runs: [runId] });
    assert.equal(synced.action, 'up to date');
    await exportEncoder(task.encoder, { runId, root, register: 'from-settings', alias: 'a' });
    const loaded = await loadEncoder('models:/from-settings@a');
    assert.deepEqual(loaded.getWeights()[0].dataSync(), task.encoder.getWeights()[0].dataSync());
    loaded.dispose();
    // The environment variables come first.
    process.env.MLFLOW_TRACKING_URI = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(loadEncoder('models:/from-settings@a'), /Cannot reach/);
  });
});
