/**
 * Every other tutorial in examples/ runs top to bottom headless on the Pretext kernel, at the
 * small size, in a temporary folder, and leaves outputs a reader can use. (The quickstart has
 * its own, stricter test.) A notebook whose metadata needs a tracking server gets a throwaway
 * `mlflow server` of its own (never the developer's); the hand-off notebook's is started with
 * basic auth, and the server is asked, before it stops, whether the hand-off really happened.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { MlflowClient } from '../../kernel/src/tracking/mlflow-client';
import { checkReadableOutputs, joined, outputsOf, readNotebook } from './notebook';

const ROOT = resolve(__dirname, '..', '..');
const notebooks = fs
  .readdirSync(join(ROOT, 'examples'))
  .filter(name => name.endsWith('.ipynb') && !name.startsWith('01-quickstart'))
  .sort();

/** What the hand-off notebook (08) must have done on the server and in its outputs. */
async function checkHandoff(target: string, workdir: string, env: Record<string, string>) {
  const notebook = readNotebook(target);
  const text = outputsOf(notebook)
    .map(o => joined(o.text) + joined(o.data?.['text/plain']))
    .join('\n');
  assert.match(
    text,
    /identical embeddings: team B's copy of models:\/handoff-mnist-simclr@candidate/
  );
  assert.match(text, /Team B's run store \(team-b\/runs\) holds 0 runs/);
  assert.match(text, /Tracking is behind/);
  assert.match(text, /Second sync: up to date, up to date\./);

  const client = new MlflowClient(env.MLFLOW_TRACKING_URI, { env });
  const root = join(workdir, 'team-a', 'runs');
  const runs = fs.readdirSync(root).filter(id => fs.existsSync(join(root, id, 'tracking.json')));
  assert.equal(runs.length, 2, 'the tracked run and the one made offline');
  const mlflowRunIds: Record<string, string> = {};
  for (const id of runs) {
    const tracking = JSON.parse(fs.readFileSync(join(root, id, 'tracking.json'), 'utf8')) as {
      servers: Record<string, { mlflowRunId: string }>;
    };
    const mlflowRunId = tracking.servers[env.MLFLOW_TRACKING_URI].mlflowRunId;
    mlflowRunIds[id] = mlflowRunId;
    // Every local step is on the server once, the offline run's included (syncRuns).
    const local = fs
      .readFileSync(join(root, id, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const steps = (await client.metricHistory(mlflowRunId, 'loss')).map(m => m.step);
    assert.equal(steps.length, local.length, `${id}: every step once`);
    assert.equal(new Set(steps).size, steps.length);
    assert.equal((await client.getRun(mlflowRunId)).info.status, 'FINISHED');
  }
  // The alias names a version made from the tracked run, and its files are on the server.
  const version = await client.versionByAlias('handoff-mnist-simclr', 'candidate');
  assert.equal(version.version, '1');
  const trained = runs.find(id => fs.existsSync(join(root, id, 'encoder', 'model.json')))!;
  assert.equal(version.run_id, mlflowRunIds[trained]);
  const files = (await client.listArtifacts(version.source)).map(f => f.path.split('/').at(-1));
  for (const name of ['model.json', 'README.md', 'model-card.json']) {
    assert.ok(files.includes(name));
  }
  // Credentials go into request headers only: not into outputs, run files or cards.
  const password = env.MLFLOW_TRACKING_PASSWORD;
  assert.ok(password && !fs.readFileSync(target, 'utf8').includes(password));
  for (const file of fs.readdirSync(workdir, { recursive: true, encoding: 'utf8' })) {
    const full = join(workdir, file);
    if (fs.statSync(full).isFile() && !full.endsWith('.bin')) {
      assert.ok(!fs.readFileSync(full, 'utf8').includes(password), `${file} has no password`);
    }
  }
}

for (const name of notebooks) {
  test(`${name} runs headless and every output is readable`, async () => {
    const { executeNotebook, notebookNeeds, startServices } =
      await import('../../scripts/run-notebooks.mjs');
    const source = join(ROOT, 'examples', name);
    const workdir = fs.mkdtempSync(join(tmpdir(), 'pretext-example-'));
    const handoff = name.startsWith('08-');
    const services = await startServices(notebookNeeds(source), {
      useExisting: false,
      auth: handoff,
      log: () => {}
    });
    try {
      // The developer's own tracking server and Settings stay out (empty means unset).
      const env = {
        PRETEXT_TRACKING_URI: '',
        MLFLOW_TRACKING_URI: '',
        JUPYTERLAB_SETTINGS_DIR: join(workdir, '.no-settings'),
        ...services.env
      };
      const result = executeNotebook(source, workdir, { timeoutSec: 1200, env });
      assert.ok(result.ok, `${name} must run without a failing cell:\n${result.error}`);
      checkReadableOutputs(readNotebook(result.target));
      if (handoff) {
        await checkHandoff(result.target, workdir, services.env);
      }
    } finally {
      await services.stop();
      fs.rmSync(workdir, { recursive: true, force: true });
    }
  });
}

test('08-team-handoff.ipynb without a tracking server stops in its first cell, saying how to start one', async () => {
  const { executeNotebook } = await import('../../scripts/run-notebooks.mjs');
  const workdir = fs.mkdtempSync(join(tmpdir(), 'pretext-example-'));
  try {
    const result = executeNotebook(join(ROOT, 'examples', '08-team-handoff.ipynb'), workdir, {
      timeoutSec: 300,
      allowErrors: true,
      env: {
        PRETEXT_TRACKING_URI: '',
        MLFLOW_TRACKING_URI: '',
        JUPYTERLAB_SETTINGS_DIR: join(workdir, '.no-settings')
      }
    });
    assert.ok(result.ok, 'nbconvert wrote the notebook');
    const first = readNotebook(result.target).cells.find(c => c.cell_type === 'code')!;
    // tslab reports a cell's exception on stderr (and as an error reply).
    const failure = (first.outputs ?? [])
      .map(o => (o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : joined(o.text)))
      .join('\n');
    assert.match(
      failure,
      /^PretextError: No MLflow tracking server is configured[\s\S]*mlflow server --host 127\.0\.0\.1 --port 5000 --backend-store-uri sqlite:\/\/\/mlflow\.db --artifacts-destination \.\/mlartifacts[\s\S]*Settings > Pretext > Tracking URI/
    );
    assert.ok(!fs.existsSync(join(workdir, 'team-a')), 'nothing trained');
  } finally {
    fs.rmSync(workdir, { recursive: true, force: true });
  }
});
