// Unit tests for the runs browser's Compare chart spec (src/runs/compare.ts); the specs are
// also drawn with Vega, so a spec that does not render fails here.
// Run: node --import tsx --test test/extension/runs-compare.test.ts
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { specToSvg } from '../../kernel/src/render/vega';
import { ILossCurve, buildCompareSpec, compareLayout, thin } from '../../src/runs/compare';
import { parseMetrics } from '../../src/runs/parse';
import { loadKernelRunFixtures, metricsJsonl } from './run-fixtures';

before(async () => {
  await loadKernelRunFixtures();
});

function curve(label: string, method: string, steps = 20): ILossCurve {
  return { label, method, points: parseMetrics(metricsJsonl(steps)).points };
}

type Data = { datasets: { curves: Array<Record<string, unknown>> } };

describe('thin', () => {
  it('keeps short lists whole and long ones to the limit, first and last kept', () => {
    assert.deepEqual(thin([1, 2, 3], 5), [1, 2, 3]);
    const long = Array.from({ length: 1000 }, (_, i) => i);
    const kept = thin(long, 100);
    assert.equal(kept.length, 100);
    assert.equal(kept[0], 0);
    assert.equal(kept.at(-1), 999);
    assert.ok(kept.every((v, i) => i === 0 || v > kept[i - 1]));
  });
});

describe('buildCompareSpec', () => {
  it('draws runs of one method on one chart, coloured by run', async () => {
    const spec = buildCompareSpec([curve('run a', 'simclr'), curve('run b', 'simclr', 10)]);
    assert.equal(compareLayout([curve('a', 'simclr'), curve('b', 'simclr')]), 'overlay');
    assert.equal((spec.encoding as Record<string, { field: string }>).color.field, 'run');
    const values = (spec as unknown as Data).datasets.curves;
    assert.equal(values.length, 30);
    assert.deepEqual(values[0], { run: 'run a', method: 'simclr', step: 1, loss: 3 });
    const svg = await specToSvg(spec);
    assert.match(svg, /run a/);
    assert.match(svg, /run b/);
  });

  it('gives runs of different methods a panel each, with their own scale', async () => {
    const curves = [curve('s', 'simclr'), curve('m', 'masked-image'), curve('b', 'byol')];
    const spec = buildCompareSpec(curves);
    assert.equal(compareLayout(curves), 'panels');
    assert.deepEqual(spec.resolve, { scale: { y: 'independent' } });
    assert.equal((spec.facet as { field: string }).field, 'run');
    assert.equal(spec.columns, 1);
    assert.equal(buildCompareSpec(curves, { columns: 3 }).columns, 3);
    const svg = await specToSvg(spec);
    for (const label of ['s', 'm', 'b']) {
      assert.ok(svg.includes(`>${label}<`), `no panel header for ${label}`);
    }
  });

  it('draws hostile run labels as escaped SVG text', async () => {
    const hostile = '<script>alert(1)</script>';
    const svg = await specToSvg(
      buildCompareSpec([curve(hostile, 'simclr'), curve('ok', 'simclr')])
    );
    assert.ok(!svg.includes('<script>'), 'label reached the SVG as markup');
    assert.ok(svg.includes('&lt;script&gt;'));
  });

  it('leaves out NaN (null) losses and thins long curves', () => {
    const points = parseMetrics(
      Array.from({ length: 2000 }, (_, i) =>
        JSON.stringify({ step: i, loss: i === 5 ? null : 1 })
      ).join('\n')
    ).points;
    const spec = buildCompareSpec([{ label: 'long', method: 'simclr', points }]);
    const values = (spec as unknown as Data).datasets.curves;
    assert.equal(values.length, 400);
    assert.ok(values.every(v => v.loss !== null));
    assert.equal(values.at(-1)!.step, 1999);
  });

  it('refuses nothing to compare, curves without a loss, and duplicate labels', () => {
    assert.throws(() => buildCompareSpec([]), /at least one run/);
    assert.throws(
      () =>
        buildCompareSpec([curve('a', 'simclr'), { label: 'empty', method: 'byol', points: [] }]),
      /No loss recorded yet for empty/
    );
    assert.throws(() => buildCompareSpec([curve('a', 'simclr'), curve('a', 'byol')]), /same label/);
  });
});
