// Unit tests for the pure data helpers of the renderers (no DOM, no JupyterLab).
// Run: node --import tsx --test test/extension/parse.test.ts
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readJsonObject } from '../../src/renderers/json';
import {
  isKnownStatus,
  parseChartData,
  parseDashboardData,
  parseTableData
} from '../../src/renderers/models';

const spec = { mark: 'line', data: { values: [] } };

describe('readJsonObject', () => {
  it('accepts an object as is', () => {
    assert.deepEqual(readJsonObject({ a: 1 }), { ok: true, value: { a: 1 } });
  });

  it('parses a JSON string (what tslab sends)', () => {
    assert.deepEqual(readJsonObject('{"a": 1}'), { ok: true, value: { a: 1 } });
  });

  it('reports invalid JSON', () => {
    const result = readJsonObject('{"a": ');
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : '', /not valid JSON/);
  });

  it('rejects arrays, null and scalars, also inside a string', () => {
    for (const value of [[1], null, 3, '[1, 2]', '"text"', 'null']) {
      const result = readJsonObject(value);
      assert.equal(result.ok, false, JSON.stringify(value));
      assert.match(!result.ok ? result.error : '', /expected a JSON object/);
    }
  });
});

describe('parseChartData', () => {
  it('accepts {spec, title} as object or string', () => {
    const data = { spec, title: 'Loss' };
    assert.deepEqual(parseChartData(data), { ok: true, value: data });
    assert.deepEqual(parseChartData(JSON.stringify(data)), { ok: true, value: data });
  });

  it('refuses a string spec (vega-embed would fetch it as a URL)', () => {
    const result = parseChartData({ spec: 'https://example.com/spec.json' });
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : '', /'spec' must be a Vega-Lite spec object/);
  });

  it('refuses data loaded from a URL, naming where it is', () => {
    const result = parseChartData({
      spec: { layer: [{ mark: 'point' }, { data: { url: 'https://example.com/a.csv' } }] }
    });
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : '', /'spec\.layer\[1\]\.data\.url' is not supported/);
  });

  it('checks the title type', () => {
    assert.equal(parseChartData({ spec, title: 3 }).ok, false);
  });
});

describe('parseDashboardData', () => {
  const valid = {
    title: 'SimCLR on MNIST',
    status: 'running',
    progress: { step: 10, totalSteps: 100, epoch: 1, totalEpochs: 5, samplesPerSec: 512.5 },
    metrics: { loss: 4.2, knn_acc: null },
    chart: { spec }
  };

  it('accepts a full dashboard and keeps metric order', () => {
    const result = parseDashboardData(JSON.stringify(valid));
    assert.ok(result.ok);
    assert.deepEqual(result.value.metrics, [
      ['loss', 4.2],
      ['knn_acc', null]
    ]);
    assert.equal(result.value.progress.samplesPerSec, 512.5);
    assert.deepEqual(result.value.chart, { spec });
  });

  it('fills optional parts', () => {
    const result = parseDashboardData({ status: 'done', progress: { step: 1, totalSteps: 1 } });
    assert.ok(result.ok);
    assert.equal(result.value.title, '');
    assert.deepEqual(result.value.metrics, []);
    assert.equal(result.value.chart, undefined);
  });

  it('names the broken field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ...valid, status: 7 }, /'status' must be one of running, done, stopped, failed/],
      [{ ...valid, progress: null }, /'progress' must be an object/],
      [{ ...valid, progress: { step: 'x', totalSteps: 1 } }, /'progress.step' must be a finite/],
      [{ ...valid, progress: { step: 1, totalSteps: 2, etaSec: '5' } }, /'progress.etaSec'/],
      [{ ...valid, metrics: { loss: 'high' } }, /metric 'loss' must be a number or null/],
      [{ ...valid, metrics: [1] }, /'metrics' must be an object/],
      [{ ...valid, chart: { spec: 'x' } }, /'chart.spec' must be a Vega-Lite spec object/],
      [{ ...valid, message: {} }, /'message' must be a string/]
    ];
    for (const [data, pattern] of cases) {
      const result = parseDashboardData(data);
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.error : '', pattern);
    }
  });

  it('keeps an unknown status as text (newer kernels) but styles only known ones', () => {
    const result = parseDashboardData({ ...valid, status: 'paused' });
    assert.ok(result.ok);
    assert.equal(result.value.status, 'paused');
    assert.equal(isKnownStatus('paused'), false);
    assert.equal(isKnownStatus('failed'), true);
  });
});

describe('parseTableData', () => {
  const columns = [
    { name: 'task', label: 'Pretext task', format: 'text' },
    { name: 'acc', format: 'percent' }
  ];

  it('accepts rows and fills missing cells with null', () => {
    const result = parseTableData({
      columns,
      rows: [{ task: 'simclr', acc: 0.9 }, { task: 'byol' }]
    });
    assert.ok(result.ok);
    assert.deepEqual(result.value.rows, [
      { task: 'simclr', acc: 0.9 },
      { task: 'byol', acc: null }
    ]);
  });

  it('names the broken field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ rows: [] }, /'columns' must be a non-empty array/],
      [{ columns: [{}], rows: [] }, /column 1 must be an object with a non-empty 'name'/],
      [{ columns: [{ name: 'a', format: 'money' }], rows: [] }, /'format' must be one of/],
      [{ columns: [{ name: 'a' }, { name: 'a' }], rows: [] }, /used twice/],
      [{ columns, rows: {} }, /'rows' must be an array/],
      [{ columns, rows: [3] }, /row 1 must be an object/],
      [{ columns, rows: [{ task: { html: '<b>' } }] }, /row 1, column 'task'/]
    ];
    for (const [data, pattern] of cases) {
      const result = parseTableData(data);
      assert.equal(result.ok, false);
      assert.match(!result.ok ? result.error : '', pattern);
    }
  });
});
