/**
 * Runs examples/01-quickstart.ipynb through a real Jupyter kernel (the installed `pretext`
 * kernelspec, via nbconvert) in a temporary folder with no node_modules, then checks what a
 * reader of the saved notebook gets.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import {
  checkReadableOutputs,
  findOutput,
  joined,
  outputsOf,
  readNotebook,
  type Cell
} from './notebook';

const ROOT = resolve(__dirname, '..', '..');
/** kNN accuracy the pretrained encoder must reach at the small size; an untrained one does not. */
const KNN_FLOOR = 0.7;

let workdir = '';
let notebook: { cells: Cell[] };

before(async () => {
  // run-notebooks.mjs is an ES module; this test file compiles to CommonJS.
  const { executeNotebook } = await import('../../scripts/run-notebooks.mjs');
  workdir = mkdtempSync(join(tmpdir(), 'pretext-quickstart-'));
  const result = executeNotebook(join(ROOT, 'examples', '01-quickstart.ipynb'), workdir, {
    timeoutSec: 900
  });
  assert.ok(
    result.ok,
    `the quickstart notebook must run top to bottom without a failing cell:\n${result.error}`
  );
  notebook = readNotebook(result.target);
});

after(() => rmSync(workdir, { recursive: true, force: true }));

test('every output is readable: no errors, JSON objects, text and SVG fallbacks', () => {
  checkReadableOutputs(notebook);
  const kinds = new Set(outputsOf(notebook).flatMap(o => Object.keys(o.data ?? {})));
  for (const kind of ['dashboard', 'chart', 'table', 'guide']) {
    assert.ok(kinds.has(`application/vnd.pretext.${kind}+json`), `a ${kind} output`);
  }
  assert.ok(kinds.has('image/png'), 'the augmentation grid');
});

test('the training dashboard ended done and kept its loss curve as SVG', () => {
  const output = findOutput(notebook, 'application/vnd.pretext.dashboard+json');
  assert.ok(output, 'dashboard output');
  const dashboard = output.data!['application/vnd.pretext.dashboard+json'] as {
    status: string;
    progress: { step: number; totalSteps: number };
    chart: { spec: { datasets: { history: { loss: number }[] } } };
  };
  assert.equal(dashboard.status, 'done');
  assert.equal(dashboard.progress.step, dashboard.progress.totalSteps);
  const losses = dashboard.chart.spec.datasets.history.map(p => p.loss);
  assert.ok(
    losses.at(-1)! < losses[0],
    `pretext loss should fall: ${losses[0]} -> ${losses.at(-1)}`
  );
  assert.match(joined(output.data!['image/svg+xml']), /^<svg[\s\S]*training step[\s\S]*<\/svg>$/);
});

test('the accuracy chart has its Vega-Lite spec and an SVG fallback', () => {
  const output = findOutput(notebook, 'application/vnd.pretext.chart+json');
  assert.ok(output, 'chart output');
  const chart = output.data!['application/vnd.pretext.chart+json'] as {
    spec: Record<string, unknown>;
  };
  assert.match(String(chart.spec.$schema), /vega-lite\/v6/);
  assert.match(joined(output.data!['image/svg+xml']), /^<svg[\s\S]*test accuracy/);
});

test(`pretraining beats the untrained encoder and clears the kNN floor of ${KNN_FLOOR}`, () => {
  // The evaluation table: the first table whose rows name a model (the augmentation check's
  // table comes earlier in the notebook).
  type ResultRow = { model?: string; knn: number; linearProbe: number };
  const output = outputsOf(notebook).find(o =>
    (
      o.data?.['application/vnd.pretext.table+json'] as { rows?: ResultRow[] } | undefined
    )?.rows?.some(r => typeof r.model === 'string')
  );
  assert.ok(output, 'results table');
  const { rows } = output.data!['application/vnd.pretext.table+json'] as {
    rows: { model: string; knn: number; linearProbe: number }[];
  };
  const pretrained = rows.find(r => r.model.startsWith('SimCLR'))!;
  const untrained = rows.find(r => r.model.startsWith('untrained'))!;
  assert.ok(pretrained && untrained, 'both encoders reported');
  assert.ok(
    untrained.knn < KNN_FLOOR,
    `the floor must be out of an untrained encoder's reach (got ${untrained.knn})`
  );
  assert.ok(
    pretrained.knn >= KNN_FLOOR,
    `SimCLR kNN accuracy ${pretrained.knn} is below ${KNN_FLOOR}`
  );
  assert.ok(
    pretrained.linearProbe > untrained.linearProbe,
    `linear probe ${pretrained.linearProbe} vs untrained ${untrained.linearProbe}`
  );
});

test('the quickstart states how far pretraining is ahead of training from scratch at 1% and 10%', () => {
  const printed = outputsOf(notebook)
    .filter(o => o.output_type === 'stream')
    .map(o => joined(o.text))
    .join('');
  for (const budget of ['1%', '10%']) {
    const line = new RegExp(
      `^${budget} labels: (.+) (\\d+\\.\\d)% vs from scratch (\\d+\\.\\d)% \\(([+-]\\d+\\.\\d) points, one seed\\): (.+)\\.$`,
      'm'
    ).exec(printed);
    assert.ok(line, `a margin line for ${budget} in:\n${printed}`);
    const [, , pretrained, scratch, margin, verdict] = line;
    assert.ok(
      Math.abs(Number(pretrained) - Number(scratch) - Number(margin)) < 0.11,
      `the margin ${margin} is the difference of ${pretrained} and ${scratch}`
    );
    // Measured at the small size: +12.5 (1%) and +10.7 (10%) points, so a margin below zero
    // means the recipe or the fine-tuning regressed.
    assert.ok(Number(margin) > 0, `${budget}: pretraining behind from scratch (${margin} points)`);
    assert.equal(verdict, 'pretraining is ahead');
  }
});
