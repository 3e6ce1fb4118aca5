import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sensorSeries } from '../../../kernel/src/datasets/sensors';
import { MIME } from '../../../kernel/src/render/mime';
import { seriesChart } from '../../../kernel/src/render/series-chart';

test('series chart: a panel per channel, faults and flagged ranges as bands, SVG fallback', async () => {
  const s = sensorSeries({ steps: 1200, anomalies: 2, seed: 1 });
  const [first, second] = s.events!;
  const chart = seriesChart(s, {
    from: 0,
    to: 1200,
    flagged: [
      { start: first.start, end: first.start + 64 },
      { start: first.start + 32, end: first.start + 96 },
      { start: 10, end: 74 }
    ]
  });
  const values = (chart.spec.data as { values: Record<string, unknown>[] }).values;
  assert.equal(values.filter(v => v.band === undefined).length, 1200 * 3);
  // Two overlapping flagged windows merge into one band; per channel: 2 faults + 2 flagged.
  assert.equal(values.filter(v => v.band === 'flagged').length, 2 * 3);
  assert.equal(values.filter(v => v.band === 'labelled fault').length, 2 * 3);
  assert.match(
    chart.summary,
    /2 labelled fault\(s\) in view, 2 flagged range\(s\), 1 of the faults flagged/
  );
  assert.ok(second);
  const bundle = await chart.toBundle();
  assert.match(String(bundle['image/svg+xml']), /^<svg/);
  assert.ok(bundle[MIME.chart]);
  assert.throws(() => seriesChart(s, { from: 100, to: 50 }), /from\/to must satisfy/);
  assert.throws(() => seriesChart(s, { start: 1 } as never), /Unknown option 'start'/);
  assert.throws(() => seriesChart({} as never), /expects a Series/);
});
