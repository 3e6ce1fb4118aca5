import assert from 'node:assert/strict';
import { test } from 'node:test';
import { twoRunsFixture } from './two-runs';
import { MIME } from '../../../kernel/src/render/mime';
import { compareRuns } from '../../../kernel/src/runs/compare';

const runs = twoRunsFixture('pretext-compare-');

test('compareRuns tabulates runs and overlays their loss curves', async () => {
  const { root, first, second } = runs;
  const comparison = await compareRuns([first.runId!, second.runId!], { root, display: false });
  const table = comparison.toBundle()[MIME.table] as {
    rows: { run: string; steps: number; learningRate: number }[];
  };
  assert.equal(table.rows.length, 2);
  assert.match(table.rows[0].run, /^baseline \(/);
  assert.deepEqual(
    table.rows.map(r => r.steps),
    [8, 12]
  );
  assert.deepEqual(
    table.rows.map(r => r.learningRate),
    [0.001, 0.01]
  );
  const chart = await comparison.chart().toBundle();
  const curves = (chart[MIME.chart] as { spec: { datasets: { curves: { run: string }[] } } }).spec
    .datasets.curves;
  assert.equal(new Set(curves.map(c => c.run)).size, 2);
  assert.match(chart['image/svg+xml'] as string, /^<svg/);
  await assert.rejects(compareRuns([], { root }), /needs a list of run ids/);
  await assert.rejects(compareRuns(['no-such-run'], { root, display: false }), /no-such-run/);
});
