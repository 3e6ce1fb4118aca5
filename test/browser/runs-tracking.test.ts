// Browser test of the runs browser with a real MLflow tracking server: a real `mlflow server`,
// one run trained here with tracking on through the kernel library (in the local store and on
// the server), one run only on the server (a colleague's, logged through the kernel's REST
// client), local runs in the run store; the tracking URI entered in Settings > Pretext (saved
// through JupyterLab's settings API, read by the server extension from the settings file).
// The panel lists them all with their source, compares a local run with an MLflow run,
// refreshes rows in place (tick and focus kept), and says in one quiet line when the server
// is down while local runs stay listed.
// Run: node --import tsx --test test/browser/runs-tracking.test.ts
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ConsoleMessage } from 'playwright-core';

import { MlflowClient } from '../../kernel/src/tracking/mlflow-client';
import { startMlflow, type MlflowServer } from '../kernel/tracking/mlflow-server';
import { ROOT, savePretextSettings, useLab } from './harness';

const LOCAL_DONE = '20261201-090000-simclr-d0d0';
const LOCAL_RUNNING = '20261201-080000-byol-7777';

function config(id: string, method: string, name: string): object {
  return {
    id,
    name,
    method,
    created: id.startsWith('20261201-09') ? '2026-12-01T09:00:00.000Z' : '2026-12-01T08:00:00.000Z',
    task: {},
    options: { epochs: 4, batchSize: 64 },
    dataset: { name: 'mnist', size: 500, shape: [500, 28, 28, 1] },
    seed: 0
  };
}

function metrics(steps: number): string {
  return Array.from(
    { length: steps },
    (_, i) =>
      `${JSON.stringify({ step: i + 1, epoch: Math.floor(i / 10), loss: 2 / (1 + i / 8), lr: 0.001 })}\n`
  ).join('');
}

/** summary.json of a run that trains right now (fresh heartbeat) or has finished. */
function summary(status: 'running' | 'done', steps: number): object {
  const now = new Date().toISOString();
  return {
    status,
    finalLoss: 2 / (1 + (steps - 1) / 8),
    steps,
    epochs: Math.ceil(steps / 10),
    seconds: steps / 2,
    updated: now,
    ...(status === 'running' ? { pid: 999999, host: 'elsewhere', heartbeat: now } : {})
  };
}

let dir = '';
let mlflow: MlflowServer | undefined;
let colleague = '';
/** The server, the run trained here with tracking, and the colleague's run: made meanwhile. */
let ready: Promise<{ runId: string; mlflowRunId: string }>;

function trainTrackedRun(
  runs: string,
  uri: string
): Promise<{ runId: string; mlflowRunId: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join('test', 'browser', 'fixtures', 'tracked-run.ts'), runs, uri],
      { cwd: ROOT, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } }
    );
    let out = '';
    child.stdout.on('data', chunk => (out += String(chunk)));
    child.stderr.on('data', chunk => (out += String(chunk)));
    child.once('exit', code => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0) {
        resolve(JSON.parse(last) as { runId: string; mlflowRunId: string });
      } else {
        reject(new Error(`the tracked training run failed (${code}):\n${out.slice(-3000)}`));
      }
    });
  });
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pretext-runs-tracking-'));
  // Started beside JupyterLab (both take a while on a busy machine); awaited in the first test.
  ready = (async () => {
    mlflow = await startMlflow(dir);
    const client = new MlflowClient(mlflow.uri);
    const experimentId = await client.ensureExperiment('colleague');
    const run = await client.createRun({
      experimentId,
      runName: 'colleague vicreg',
      startTime: Date.parse('2026-12-01T10:00:00.000Z'),
      tags: [
        { key: 'pretext.method', value: 'vicreg' },
        { key: 'pretext.dataset', value: 'mnist' },
        // Their local id, on their machine: not in this run store.
        { key: 'pretext.runId', value: '20261201-100000-vicreg-cafe' }
      ]
    });
    colleague = run.info.run_id;
    await client.logBatch(colleague, {
      metrics: Array.from({ length: 30 }, (_, i) => ({
        key: 'loss',
        value: 3 / (1 + i / 4),
        timestamp: Date.now(),
        step: i + 1
      }))
    });
    return trainTrackedRun(join(dir, 'runs'), mlflow.uri);
  })();
  ready.catch(() => undefined); // Reported by the first test that awaits it.
});

let mlflowStopped = false;

async function stopMlflow(): Promise<void> {
  if (mlflow !== undefined && !mlflowStopped) {
    mlflowStopped = true;
    await mlflow.stop();
  }
}

after(async () => {
  try {
    await stopMlflow();
  } finally {
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

const lab = useLab({
  write: {
    [`runs/${LOCAL_DONE}/config.json`]: config(LOCAL_DONE, 'simclr', 'local simclr'),
    [`runs/${LOCAL_DONE}/summary.json`]: summary('done', 40),
    [`runs/${LOCAL_DONE}/metrics.jsonl`]: metrics(40),
    [`runs/${LOCAL_RUNNING}/config.json`]: config(LOCAL_RUNNING, 'byol', 'local byol'),
    [`runs/${LOCAL_RUNNING}/summary.json`]: summary('running', 5),
    [`runs/${LOCAL_RUNNING}/metrics.jsonl`]: metrics(5)
  },
  // Only the setting names the tracking server.
  env: { MLFLOW_TRACKING_URI: undefined, PRETEXT_TRACKING_URI: undefined }
});

/** Enters the tracking URI in Settings > Pretext through JupyterLab's settings API. */
async function saveTrackingUri(uri: string): Promise<void> {
  const raw = `// Saved by the runs-tracking browser test\n{\n  "trackingUri": ${JSON.stringify(uri)},\n}\n`;
  await savePretextSettings(raw);
}

const consoleLines: string[] = [];
let trained = { runId: '', mlflowRunId: '' };

const rowSelector = '[data-pretext-role="run-list"] > [data-pretext-run]';

test('the panel lists the MLflow runs next to the local ones, with their source', () =>
  lab.step('tracking-list', async () => {
    trained = await ready;
    const host = `127.0.0.1:${mlflow!.port}`;
    await saveTrackingUri(mlflow!.uri);
    // The run trained "here": its folder lands in the run store the panel reads.
    cpSync(join(dir, 'runs', trained.runId), join(lab.root, 'runs', trained.runId), {
      recursive: true
    });

    const page = await lab.openLab();
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        consoleLines.push(`${message.type()}: ${message.text()}`);
      }
    });
    await lab.command('pretext:open-panel');
    const runs = page.locator('#jp-pretext-panel [data-pretext-section="runs"]');
    await page.waitForFunction(
      selector => document.querySelectorAll(selector).length >= 4,
      rowSelector,
      { timeout: 30_000 }
    );
    const rows = runs.locator(rowSelector);
    assert.equal(await rows.count(), 4, await runs.innerText());

    const line = runs.locator('[data-pretext-role="tracking-status"]');
    assert.equal(await line.innerText(), `MLflow at ${host} (from settings): 2 runs`);
    assert.equal(await line.getAttribute('data-pretext-available'), 'true');

    const source = (id: string) => runs.locator(`[data-pretext-run="${id}"]`);
    assert.equal(await source(LOCAL_DONE).getAttribute('data-pretext-source'), 'local');
    assert.equal(await source(LOCAL_RUNNING).getAttribute('data-pretext-source'), 'local');
    // The tracked run is listed once (by its local id), as both.
    assert.equal(await source(trained.runId).getAttribute('data-pretext-source'), 'both');
    assert.equal(await source(trained.mlflowRunId).count(), 0);
    assert.equal(
      await source(trained.runId).locator('[data-pretext-role="run-source"]').innerText(),
      `local + MLflow · ${host}`
    );
    const remote = source(colleague);
    assert.equal(await remote.getAttribute('data-pretext-source'), 'mlflow');
    assert.equal(
      await remote.locator('[data-pretext-role="run-source"]').innerText(),
      `MLflow · ${host}`
    );
    assert.match(
      await remote.innerText(),
      /colleague vicreg[\s\S]*vicreg · mnist · running · loss [\d.]+ · 30 steps/
    );

    await lab.screenshot(
      'side-panel-tracking-list',
      runs.locator('[data-pretext-role="run-list"]')
    );

    // The same filters cover both sources.
    await runs.locator('select[data-pretext-filter="method"]').selectOption('vicreg');
    assert.equal(await rows.count(), 1);
    await runs.locator('select[data-pretext-filter="method"]').selectOption('');
    assert.equal(await rows.count(), 4);

    // The details of a server run come from the server.
    await remote.locator('[data-pretext-action="open"]').click();
    const details = runs.locator('[data-pretext-role="run-details"]');
    await details
      .locator('[data-pretext-role="run-metrics"]', { hasText: '30 steps recorded' })
      .waitFor({ timeout: 30_000 });
    assert.match(
      await details.locator('[data-pretext-role="run-summary"]').innerText(),
      new RegExp(colleague)
    );
  }));

test('a local run and an MLflow run compare as one chart', () =>
  lab.step('tracking-compare', async () => {
    const page = lab.page;
    const runs = page.locator('#jp-pretext-panel [data-pretext-section="runs"]');
    await runs.locator(`[data-pretext-run="${LOCAL_DONE}"] [data-pretext-action="select"]`).check();
    await runs.locator(`[data-pretext-run="${colleague}"] [data-pretext-action="select"]`).check();
    const compare = runs.locator('[data-pretext-action="compare"]');
    assert.equal(await compare.innerText(), 'Compare 2');
    await compare.click();
    const chart = runs.locator('[data-pretext-role="compare-chart"]');
    await chart.locator('svg.marks').waitFor({ timeout: 30_000 });
    // Different methods: one panel per run, headed by its label (cut to the panel's width).
    const svgText = (await chart.locator('svg').first().textContent()) ?? '';
    assert.ok(svgText.includes(`local simclr (${LOCAL_DONE.slice(0, 12)}`), svgText);
    assert.ok(svgText.includes(`colleague vicreg (${colleague.slice(0, 12)}`), svgText);
    assert.equal(await runs.locator('[data-pretext-role="compare"] .jp-Pretext-error').count(), 0);
    await chart.scrollIntoViewIfNeeded();
    await lab.screenshot('side-panel-tracking', page.locator('#jp-pretext-panel'));
  }));

test('a poll updates rows in place: a ticked, focused row keeps its tick and focus', () =>
  lab.step('tracking-in-place', async () => {
    const page = lab.page;
    const runs = page.locator('#jp-pretext-panel [data-pretext-section="runs"]');
    const running = runs.locator(`[data-pretext-run="${LOCAL_RUNNING}"]`);
    const check = running.locator('[data-pretext-action="select"]');
    await check.check();
    await check.focus();
    // Marks the row's elements: a rebuilt row would not carry the marks.
    await page.evaluate(
      ids => {
        for (const id of ids) {
          const row = document.querySelector(`[data-pretext-run="${id}"]`) as HTMLElement & {
            __pretextMark?: string;
          };
          row.__pretextMark = id;
        }
      },
      [LOCAL_RUNNING, colleague, LOCAL_DONE]
    );
    assert.match(await running.innerText(), /byol · mnist · running · .* · 5 steps/);

    // The local run goes on and finishes; the colleague's run logs more steps and ends.
    writeFileSync(join(lab.root, 'runs', LOCAL_RUNNING, 'metrics.jsonl'), metrics(40));
    writeFileSync(
      join(lab.root, 'runs', LOCAL_RUNNING, 'summary.json'),
      JSON.stringify(summary('done', 40))
    );
    const client = new MlflowClient(mlflow!.uri);
    await client.logBatch(colleague, {
      metrics: Array.from({ length: 10 }, (_, i) => ({
        key: 'loss',
        value: 0.5 - i / 100,
        timestamp: Date.now(),
        step: 31 + i
      }))
    });
    await client.updateRun(colleague, 'FINISHED', Date.now());

    // No click, no Refresh button (that would move the focus): the panel's own 10 s poll.
    await page.waitForFunction(
      ([local, remote]) =>
        /done · .* · 40 steps/.test(
          document.querySelector(`[data-pretext-run="${local}"]`)?.textContent ?? ''
        ) &&
        /done · .* · 40 steps/.test(
          document.querySelector(`[data-pretext-run="${remote}"]`)?.textContent ?? ''
        ),
      [LOCAL_RUNNING, colleague],
      { timeout: 30_000, polling: 250 }
    );
    const state = await page.evaluate(
      ids =>
        ids.map(id => {
          const row = document.querySelector(`[data-pretext-run="${id}"]`) as HTMLElement & {
            __pretextMark?: string;
          };
          const box = row.querySelector('[data-pretext-action="select"]') as HTMLInputElement;
          return {
            id,
            kept: row.__pretextMark === id,
            checked: box.checked,
            focused: document.activeElement === box
          };
        }),
      [LOCAL_RUNNING, colleague, LOCAL_DONE]
    );
    assert.deepEqual(state, [
      { id: LOCAL_RUNNING, kept: true, checked: true, focused: true },
      { id: colleague, kept: true, checked: true, focused: false },
      { id: LOCAL_DONE, kept: true, checked: true, focused: false }
    ]);
    assert.equal(await runs.locator('[data-pretext-action="compare"]').innerText(), 'Compare 3');
  }));

test('with the server down, local runs stay and one quiet line says why', () =>
  lab.step('tracking-down', async () => {
    const page = lab.page;
    const runs = page.locator('#jp-pretext-panel [data-pretext-section="runs"]');
    const host = `127.0.0.1:${mlflow!.port}`;
    await stopMlflow();
    const line = runs.locator(
      '[data-pretext-role="tracking-status"][data-pretext-available="false"]'
    );
    await line.waitFor({ timeout: 30_000 });
    assert.match(
      await line.innerText(),
      new RegExp(
        `^No MLflow runs at ${host.replace(/\./g, '\\.')} \\(from settings\\): Cannot reach the tracking server`
      )
    );
    const ids = await runs
      .locator(rowSelector)
      .evaluateAll(rows => rows.map(row => (row as HTMLElement).dataset.pretextRun));
    assert.deepEqual(new Set(ids), new Set([trained.runId, LOCAL_DONE, LOCAL_RUNNING]));
    assert.equal(
      await runs
        .locator(`[data-pretext-run="${trained.runId}"]`)
        .getAttribute('data-pretext-source'),
      'local'
    );
    assert.equal(await page.locator('.jp-Dialog').count(), 0, 'an error dialog opened');
    assert.equal(await runs.locator('[data-pretext-role="runs-status"].jp-mod-warning').count(), 0);
    assert.deepEqual(
      consoleLines.filter(text => /pretext|tracking|mlflow/i.test(text)),
      [],
      'the panel wrote to the console'
    );
  }));
