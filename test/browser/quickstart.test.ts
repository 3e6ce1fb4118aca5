/// <reference lib="dom" />
/**
 * The quickstart in a real JupyterLab: run every cell on the Pretext kernel and check what a
 * user sees — the live dashboard updating in place, charts drawn by our renderer (not the
 * SVG fallback), the guide, a sortable table, the embedding explorer (tooltip with the digit,
 * zoom) and the dark theme. One server and one run of the notebook for all of it: the run is
 * most of this file's time (about 3 minutes here).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contrastOf } from './contrast';
import type { Locator, Page } from 'playwright-core';
import { useLab } from './harness';

const NOTEBOOK = '01-quickstart.ipynb';
const lab = useLab({ copy: { [NOTEBOOK]: 'examples/01-quickstart.ipynb' } });
const LONG = { timeout: 15 * 60_000 };

/** Minimum WCAG contrast for text (AA for normal text). */
const MIN_CONTRAST = 4.5;

/** Text of a chart drawn outside its SVG's box (cropped by a stale layout). */
function textOutsideSvg(chart: Locator): Promise<string[]> {
  return chart.locator('svg.marks').evaluate(svg => {
    const box = svg.getBoundingClientRect();
    return Array.from(svg.querySelectorAll('text'))
      .filter(text => {
        const r = text.getBoundingClientRect();
        return (
          r.width > 0 &&
          (r.left < box.left - 1 ||
            r.right > box.right + 1 ||
            r.top < box.top - 1 ||
            r.bottom > box.bottom + 1)
        );
      })
      .map(text => text.textContent ?? '');
  });
}

test('the training dashboard is our renderer and updates in place while training', LONG, () =>
  lab.step('dashboard-live', async () => {
    await lab.openLab();
    await lab.openNotebook(NOTEBOOK);
    await lab.runAllCells();
    const page = lab.page;
    // Data loading and the augmentation grid come first.
    const dashboard = page.locator('.jp-Pretext-dashboard[data-status="running"]');
    await dashboard.waitFor({ timeout: 4 * 60_000 });
    assert.equal(
      await page.locator('.jp-Pretext-dashboard .jp-Pretext-error').count(),
      0,
      'the dashboard data is valid'
    );
    const step = dashboard.locator('.jp-Pretext-stat').first();
    const before = await step.textContent();
    assert.match(before ?? '', /^Step \d+ \/ \d+$/);
    // Tag the node: an update that re-created the output would lose the tag.
    const handle = await dashboard.elementHandle();
    await handle!.evaluate(node => {
      (node as HTMLElement).dataset.testProbe = 'first-render';
    });
    const stepHandle = await step.elementHandle();
    await page.waitForFunction(
      ([node, initial]) => (node as Element).textContent !== initial,
      [stepHandle, before] as const,
      { timeout: 3 * 60_000, polling: 100 }
    );
    const after = await stepHandle!.evaluate(node => ({
      text: node.textContent,
      connected: node.isConnected,
      probe: (node.closest('.jp-Pretext-dashboard') as HTMLElement | null)?.dataset.testProbe
    }));
    assert.ok(after.connected, 'the step text changed in the node first rendered');
    assert.equal(after.probe, 'first-render', 'the same dashboard widget took the update');
    assert.notEqual(after.text, before);
    assert.equal(await page.locator('.jp-Pretext-dashboard').count(), 1, 'one dashboard');
    // The SVG fallback is never what shows while our renderer is installed.
    assert.equal(
      await page
        .locator('.jp-Pretext-dashboard')
        .locator('xpath=..')
        .locator('img, .jp-RenderedSVG')
        .count(),
      0
    );
  })
);

test('after the run: dashboard done, charts drawn by vega-embed, guide and table', LONG, () =>
  lab.step('final-outputs', async () => {
    const page = lab.page;
    await lab.waitForKernelIdle(12 * 60_000);
    assert.deepEqual(await lab.notebookErrors(), [], 'no error or stderr output');
    assert.equal(await page.locator('.jp-Pretext-error').count(), 0, 'no Pretext error box');

    const dashboard = page.locator('.jp-Pretext-dashboard');
    assert.equal(await dashboard.getAttribute('data-status'), 'done');
    assert.equal(await dashboard.getAttribute('data-test-probe'), 'first-render');
    await dashboard.locator('.jp-Pretext-dashboard-chart .jp-Pretext-chart-view svg').waitFor();
    assert.match(
      (await dashboard.locator('.jp-Pretext-progress-percent').textContent()) ?? '',
      /100%/
    );
    await lab.screenshot('dashboard', dashboard);
    assert.deepEqual(await textOutsideSvg(dashboard), [], 'the live chart is not cropped');

    const charts = page.locator('.jp-Pretext-chart');
    assert.ok((await charts.count()) >= 2, 'the accuracy chart and the embedding map at least');
    for (const chart of await charts.all()) {
      await chart.locator('.jp-Pretext-chart-view svg.marks').waitFor();
      assert.deepEqual(await textOutsideSvg(chart), [], 'chart text inside the chart');
    }
    // No output fell back to the static SVG of a Pretext chart.
    assert.equal(await page.locator('.jp-RenderedSVG').count(), 0, 'no SVG fallback shown');

    const guides = page.locator('.jp-Pretext-guide');
    assert.equal(await guides.count(), 2, 'the guide at the top and at the end');
    const lastGuide = guides.last();
    assert.match((await lastGuide.locator('.jp-Pretext-title').textContent()) ?? '', /of 7 done/);
    assert.ok((await lastGuide.locator('.jp-Pretext-guide-step.jp-mod-done').count()) >= 4);

    const table = page.locator('.jp-Pretext-table').first();
    const headers = table.locator('th');
    const numeric = table.locator('th.jp-mod-numeric').first();
    assert.ok((await headers.count()) >= 2);
    const column = await numeric.evaluate(th => Array.from(th.parentElement!.children).indexOf(th));
    const values = async () =>
      (await table.locator(`tbody tr td:nth-child(${column + 1})`).allTextContents()).map(v =>
        parseFloat(v)
      );
    await numeric.locator('button').click();
    assert.equal(await numeric.getAttribute('aria-sort'), 'ascending');
    const up = await values();
    assert.deepEqual(
      up,
      [...up].sort((a, b) => a - b)
    );
    await numeric.locator('button').click();
    assert.equal(await numeric.getAttribute('aria-sort'), 'descending');
    const down = await values();
    assert.deepEqual(
      down,
      [...down].sort((a, b) => b - a)
    );
  })
);

test('embedding explorer: hover shows the class and the digit, wheel zooms', LONG, () =>
  lab.step('explorer', async () => {
    const page = lab.page;
    const map = page.locator('.jp-Pretext-chart').filter({ hasText: 'map of' });
    await map.scrollIntoViewIfNeeded();
    const points = map.locator('.mark-symbol.role-mark path');
    assert.ok((await points.count()) > 100, 'hundreds of points');
    const point = points.nth(Math.floor((await points.count()) / 2));
    await point.hover({ force: true });
    const tooltip = page.locator('#vg-tooltip-element');
    await tooltip.locator('img').waitFor({ timeout: 10_000 });
    assert.match((await tooltip.textContent()) ?? '', /class/);
    const src = await tooltip.locator('img').getAttribute('src');
    assert.match(src ?? '', /^data:image\/png;base64,/);
    const size = await tooltip
      .locator('img')
      .evaluate(img => [
        (img as HTMLImageElement).naturalWidth,
        (img as HTMLImageElement).complete
      ]);
    assert.deepEqual(size, [28, true], 'the 28x28 digit loaded');
    await lab.screenshot('explorer');

    // Zoom: scroll over the plot; the points move (Vega-Lite interval selection bound to scales).
    const box = (await map.locator('svg.marks').boundingBox())!;
    const where = () => points.first().getAttribute('transform');
    const before = await where();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(
      ([node, initial]) => (node as Element).getAttribute('transform') !== initial,
      [await points.first().elementHandle(), before] as const,
      { timeout: 5_000 }
    );
    assert.notEqual(await where(), before, 'the wheel zoomed the map');
  })
);

/** Contrast of the text in every kind of Pretext output on the page. */
async function outputTextContrast(page: Page) {
  const samples = [
    ...(await contrastOf(
      page.locator(
        '.jp-Pretext-dashboard :is(.jp-Pretext-title, .jp-Pretext-stat, .jp-Pretext-progress-percent, .jp-Pretext-metric-name, .jp-Pretext-metric-value, .jp-Pretext-badge)'
      )
    )),
    ...(await contrastOf(page.locator('.jp-Pretext-chart-view svg text'), 60)),
    ...(await contrastOf(page.locator('.jp-Pretext-table :is(td, th button, caption)'), 40)),
    ...(await contrastOf(
      page.locator(
        '.jp-Pretext-guide :is(.jp-Pretext-title, .jp-Pretext-guide-stepTitle, .jp-Pretext-guide-detail, .jp-Pretext-guide-advice li)'
      ),
      40
    ))
  ].filter(sample => sample.text.trim() !== '');
  return { samples, illegible: samples.filter(sample => sample.ratio < MIN_CONTRAST) };
}

test('light and dark themes: output text stays legible', LONG, () =>
  lab.step('themes', async () => {
    const page = lab.page;
    const light = await outputTextContrast(page);
    assert.ok(light.samples.length > 30, 'text to check');
    assert.deepEqual(light.illegible, [], `text below ${MIN_CONTRAST}:1 in the light theme`);

    await lab.command('apputils:change-theme', { theme: 'JupyterLab Dark' });
    await page
      .locator('body[data-jp-theme-light="false"]')
      .waitFor({ state: 'attached', timeout: 30_000 });
    // Charts re-embed with the dark chart theme and the dark theme's text colours.
    await page.waitForFunction(
      () => {
        const text = document.querySelector('.jp-Pretext-chart-view svg .role-axis-title text');
        const fill = text?.getAttribute('fill') ?? '';
        return fill.includes('255');
      },
      null,
      { timeout: 30_000 }
    );
    const dashboard = page.locator('.jp-Pretext-dashboard');
    await dashboard.scrollIntoViewIfNeeded();
    await lab.screenshot('dashboard-dark', dashboard);
    const map = page.locator('.jp-Pretext-chart').filter({ hasText: 'map of' });
    await map.scrollIntoViewIfNeeded();
    await lab.screenshot('chart-dark', map);

    const dark = await outputTextContrast(page);
    assert.ok(dark.samples.length > 30, 'text to check');
    assert.deepEqual(dark.illegible, [], `text below ${MIN_CONTRAST}:1 in the dark theme`);
  })
);
