// Unit tests for deciding between an in-place data update and a re-embed.
// Run: node --import tsx --test test/extension/chart-plan.test.ts
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { canReplaceData, describeSpec, planChartUpdate } from '../../src/renderers/chart-plan';

function lossSpec(values: unknown[], title = 'Loss') {
  return {
    title,
    datasets: { loss: values },
    data: { name: 'loss' },
    mark: 'line',
    encoding: { x: { field: 'step', type: 'quantitative' } }
  };
}

describe('planChartUpdate', () => {
  it('embeds the first time', () => {
    assert.deepEqual(planChartUpdate(null, describeSpec(lossSpec([]))), { kind: 'embed' });
  });

  it('updates named datasets in place when only their values changed', () => {
    const before = describeSpec(lossSpec([{ step: 1, loss: 5 }]));
    const values = [
      { step: 1, loss: 5 },
      { step: 2, loss: 4 }
    ];
    const plan = planChartUpdate(before, describeSpec(lossSpec(values)));
    assert.deepEqual(plan, { kind: 'data', changes: [{ name: 'loss', values }] });
  });

  it('does nothing when nothing changed', () => {
    const spec = lossSpec([{ step: 1, loss: 5 }]);
    assert.deepEqual(planChartUpdate(describeSpec(spec), describeSpec(spec)), { kind: 'none' });
  });

  it('re-embeds when the structure or the theme changes', () => {
    const before = describeSpec(lossSpec([]), 'light');
    assert.deepEqual(planChartUpdate(before, describeSpec(lossSpec([], 'Other'), 'light')), {
      kind: 'embed'
    });
    assert.deepEqual(planChartUpdate(before, describeSpec(lossSpec([]), 'dark')), {
      kind: 'embed'
    });
  });

  it('treats inline named data ({name, values}) like datasets, in layers too', () => {
    const spec = (values: unknown[]) => ({
      layer: [{ data: { name: 'train', values }, mark: 'line' }, { mark: 'rule' }]
    });
    const plan = planChartUpdate(describeSpec(spec([1])), describeSpec(spec([1, 2])));
    assert.deepEqual(plan, { kind: 'data', changes: [{ name: 'train', values: [1, 2] }] });
  });

  it('re-embeds when unnamed inline values change (Vega names them itself)', () => {
    const spec = (values: unknown[]) => ({ data: { values }, mark: 'line' });
    assert.deepEqual(planChartUpdate(describeSpec(spec([1])), describeSpec(spec([2]))), {
      kind: 'embed'
    });
  });
});

describe('canReplaceData', () => {
  it('allows root datasets of inline values only', () => {
    const vg = {
      data: [
        { name: 'loss', values: [] },
        { name: 'dates', values: [], format: { parse: { t: 'date' } } },
        { name: 'data_0', source: 'loss' }
      ]
    };
    assert.equal(canReplaceData(vg, 'loss'), true);
    assert.equal(canReplaceData(vg, 'dates'), false);
    assert.equal(canReplaceData(vg, 'data_0'), false);
    assert.equal(canReplaceData(vg, 'missing'), false);
    assert.equal(canReplaceData(null, 'loss'), false);
  });
});
