// Browser test of the Pretext side panel, launcher and commands in a real JupyterLab:
// insert a catalog snippet into a new Pretext notebook and run it; the run it trains
// appears in the runs browser next to stored runs (one hostile, one broken); two runs are
// compared as a chart. Saves test/snapshots/side-panel.png.
// Run: node --import tsx --test test/browser/panel.test.ts
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { ROOT, savePretextSettings, useLab } from './harness';

const HOSTILE = '<img src=x onerror="window.__pretextPwned=1">';

/** metrics.jsonl of a stored run: a falling loss. */
function metrics(steps: number): string {
  return Array.from({ length: steps }, (_, i) =>
    JSON.stringify({ step: i + 1, epoch: Math.floor(i / 10), loss: 2 / (1 + i / 8), lr: 0.001 })
  )
    .map(line => `${line}\n`)
    .join('');
}

function config(id: string, method: string, name?: string, dataset = 'mnist'): object {
  return {
    id,
    ...(name ? { name } : {}),
    method,
    created: '2026-11-27T10:00:00.000Z',
    task: {},
    options: { epochs: 4, batchSize: 64 },
    dataset: { name: dataset, size: 500, shape: [500, 28, 28, 1] },
    seed: 0
  };
}

const summary = (status: string) => ({
  status,
  finalLoss: 0.4,
  steps: 40,
  epochs: 4,
  seconds: 12,
  updated: '2026-11-27T10:01:00.000Z'
});

const BYOL = '20261127-100000-byol-b0b0';
const EVIL = '20261127-090000-simclr-e411';
const BROKEN = '20261127-080000-broken';

const lab = useLab({
  write: {
    [`runs/${BYOL}/config.json`]: config(BYOL, 'byol', 'stored byol'),
    [`runs/${BYOL}/summary.json`]: summary('done'),
    [`runs/${BYOL}/metrics.jsonl`]: metrics(40),
    [`runs/${EVIL}/config.json`]: config(EVIL, 'simclr', HOSTILE, HOSTILE),
    [`runs/${EVIL}/summary.json`]: summary(HOSTILE),
    [`runs/${EVIL}/metrics.jsonl`]: metrics(10),
    [`runs/${BROKEN}/config.json`]: '{"method": "simclr", "crea'
  }
});

/** Small snippet values, so the inserted cell trains in seconds (settings API, as a user would). */
async function useSmallSnippetSettings(): Promise<void> {
  const raw = JSON.stringify({ defaultEpochs: 1, defaultBatchSize: 64 });
  await savePretextSettings(raw);
}

test('launcher cards open the examples as Pretext notebooks', () =>
  lab.step('panel-launcher', async () => {
    await useSmallSnippetSettings();
    const page = await lab.openLab();
    await lab.command('launcher:create');
    const section = page.locator('.jp-Launcher-section', {
      has: page.locator('.jp-Launcher-sectionTitle', { hasText: /^Pretext$/ })
    });
    await section.waitFor();
    const cards = await section.locator('.jp-LauncherCard-label').allInnerTexts();
    assert.ok(cards.includes('Images'), `cards: ${cards.join(', ')}`);
    assert.ok(cards.includes('Compare pretext tasks'), `cards: ${cards.join(', ')}`);

    // A card opens its example as a new notebook, outputs cleared, on the Pretext kernel.
    await section.locator('.jp-LauncherCard', { hasText: 'Compare pretext tasks' }).click();
    const notebook = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
    await notebook.locator('.jp-Cell').first().waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () =>
        /Pretext/.test(
          document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-KernelName')
            ?.textContent ?? ''
        ),
      null,
      { timeout: 30_000 }
    );
    const example = JSON.parse(
      readFileSync(join(ROOT, 'examples', '02-compare-pretext-tasks.ipynb'), 'utf8')
    ) as { cells: unknown[] };
    assert.equal(await notebook.locator('.jp-Cell').count(), example.cells.length);
    assert.equal(await notebook.locator('.jp-OutputArea-output').count(), 0);
    // Close it and stop its kernel: the next test runs its own notebook.
    await page.evaluate(async () => {
      type Closable = { sessionContext: { shutdown(): Promise<void> }; dispose(): void };
      const app = (window as unknown as { jupyterapp: { shell: { currentWidget: Closable } } })
        .jupyterapp;
      const widget = app.shell.currentWidget;
      await widget.sessionContext.shutdown();
      widget.dispose();
    });
  }));

test('a catalog snippet goes into a new Pretext notebook and runs', () =>
  lab.step('panel-insert', async () => {
    const page = lab.page;
    await lab.command('pretext:open-panel');
    const panel = page.locator('#jp-pretext-panel');
    await panel.waitFor();
    // Without a notebook, Insert explains what to do.
    const insert = panel.locator('[data-pretext-method="simclr"] [data-pretext-action="insert"]');
    await insert.click();
    const message = panel.locator('[data-pretext-section="catalog"] [data-pretext-role="message"]');
    await message.waitFor();
    assert.equal(await message.getAttribute('data-pretext-inserted'), 'false');
    assert.match(await message.innerText(), /No notebook is open/);

    await lab.command('pretext:new-notebook');
    const notebook = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
    await notebook.locator('.jp-Cell').first().waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () => {
        const kernel = document.querySelector(
          '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-KernelName'
        );
        return /Pretext/.test(kernel?.textContent ?? '');
      },
      null,
      { timeout: 30_000 }
    );
    await lab.waitForKernelIdle(90_000);

    await insert.click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('[data-pretext-section="catalog"] [data-pretext-role="message"]')
          ?.getAttribute('data-pretext-inserted') === 'true'
    );
    assert.equal(await notebook.locator('.jp-Cell').count(), 2);
    const source = await notebook
      .locator('.jp-Cell')
      .nth(1)
      .locator('.jp-InputArea-editor')
      .innerText();
    assert.match(source, /px\.createTask\('simclr'/);
    assert.match(source, /epochs: 1, batchSize: 64/, 'the settings did not fill the snippet');

    await lab.runAllCells();
    await lab.waitForKernelIdle(4 * 60_000);
    const outputs = notebook.locator('.jp-Cell').nth(1).locator('.jp-OutputArea-output');
    assert.ok((await outputs.count()) > 0, 'the inserted cell showed no output');
    await notebook.locator('.jp-Pretext-table').first().waitFor();
  }));

test('runs appear in the runs browser, and two runs compare as a chart', () =>
  lab.step('panel-runs', async () => {
    const page = lab.page;
    const panel = page.locator('#jp-pretext-panel');
    const runs = panel.locator('[data-pretext-section="runs"]');
    await runs.locator('[data-pretext-action="refresh"]').click();
    const rows = runs.locator('[data-pretext-role="run-list"] > [data-pretext-run]');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('[data-pretext-role="run-list"] > [data-pretext-run]').length >= 4
    );
    assert.equal(await rows.count(), 4, await runs.innerText());
    // The run the snippet trained: a fresh simclr id (not the stored hostile one), done.
    const real = runs.locator(`[data-pretext-run*="-simclr-"]:not([data-pretext-run="${EVIL}"])`);
    assert.equal(await real.count(), 1, 'the trained run is not listed');
    assert.match(await real.innerText(), /simclr · MNIST.* · done · loss [\d.]+ · \d+ steps/);

    const broken = runs.locator(`[data-pretext-run="${BROKEN}"]`);
    assert.equal(await broken.getAttribute('data-pretext-kind'), 'unreadable');
    assert.match(await broken.innerText(), /unreadable: config\.json is not valid JSON/);

    // Hostile strings are text: visible as typed, never markup.
    const evil = runs.locator(`[data-pretext-run="${EVIL}"]`);
    assert.ok((await evil.innerText()).includes(HOSTILE));
    await evil.locator('[data-pretext-action="open"]').click();
    const details = runs.locator('[data-pretext-role="run-details"]');
    await details
      .locator('[data-pretext-role="run-metrics"]', { hasText: '10 steps recorded' })
      .waitFor();
    assert.equal(await panel.locator('img').count(), 0, 'a run string became an element');
    assert.equal(
      await page.evaluate(() => (window as { __pretextPwned?: number }).__pretextPwned),
      undefined
    );

    // Filters.
    await runs.locator('select[data-pretext-filter="method"]').selectOption('byol');
    assert.equal(await rows.count(), 1);
    await runs.locator('select[data-pretext-filter="method"]').selectOption('');
    assert.equal(await rows.count(), 4);

    // Compare the trained run with the stored one.
    const compare = runs.locator('[data-pretext-action="compare"]');
    assert.equal(await compare.isDisabled(), true);
    await real.locator('[data-pretext-action="select"]').check();
    await runs.locator(`[data-pretext-run="${BYOL}"] [data-pretext-action="select"]`).check();
    assert.equal(await compare.isDisabled(), false);
    await compare.click();
    const chart = runs.locator('[data-pretext-role="compare-chart"]');
    await chart.locator('svg.marks').waitFor({ timeout: 30_000 });
    // Different methods: one panel per run, headed by its label.
    const svgText = (await chart.locator('svg').first().textContent()) ?? '';
    assert.match(svgText, /stored byol/);
    const realId = (await real.getAttribute('data-pretext-run')) ?? '';
    assert.ok(svgText.includes(realId), `no panel for ${realId}: ${svgText}`);
    assert.equal(await runs.locator('[data-pretext-role="compare"] .jp-Pretext-error').count(), 0);

    await chart.scrollIntoViewIfNeeded();
    await lab.screenshot('side-panel', panel);

    // Dark theme: the panel follows JupyterLab's colours and the chart redraws dark.
    const background = () =>
      panel.evaluate(node => getComputedStyle(node as HTMLElement).backgroundColor);
    const light = await background();
    await lab.command('apputils:change-theme', { theme: 'JupyterLab Dark' });
    await page.waitForFunction(() => document.body.dataset.jpThemeLight === 'false', null, {
      timeout: 30_000
    });
    assert.notEqual(await background(), light, 'the panel kept its light background');
    await chart.locator('svg.marks').waitFor();
    await chart.scrollIntoViewIfNeeded();
    await lab.screenshot('side-panel-dark', panel);
  }));
