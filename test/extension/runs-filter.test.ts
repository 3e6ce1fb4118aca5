// Unit tests for the runs browser's filters (src/runs/filter.ts).
// Run: node --import tsx --test test/extension/runs-filter.test.ts
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { filterChoices, filterRuns } from '../../src/runs/filter';
import { parseRun } from '../../src/runs/parse';
import { configJson, loadKernelRunFixtures, summaryJson } from './run-fixtures';

let runs: ReturnType<typeof parseRun>[] = [];

before(async () => {
  await loadKernelRunFixtures();
  runs = [
    parseRun('1', configJson({ method: 'simclr' }), summaryJson({ status: 'done' })),
    parseRun(
      '2',
      configJson({ method: 'byol', dataset: { name: 'spam' } }),
      summaryJson({ status: 'failed' })
    ),
    parseRun('3', configJson({ method: 'simclr', dataset: { name: 'spam' } }), null),
    parseRun('4', null, null)
  ];
});

const ids = (filter: Parameters<typeof filterRuns>[1]) => filterRuns(runs, filter).map(r => r.id);

describe('filterRuns', () => {
  it('keeps everything, unreadable runs included, without a filter', () => {
    assert.deepEqual(ids({}), ['1', '2', '3', '4']);
    assert.deepEqual(ids({ method: '', dataset: undefined }), ['1', '2', '3', '4']);
  });

  it('matches every set field exactly', () => {
    assert.deepEqual(ids({ method: 'simclr' }), ['1', '3']);
    assert.deepEqual(ids({ dataset: 'spam' }), ['2', '3']);
    assert.deepEqual(ids({ method: 'simclr', dataset: 'spam' }), ['3']);
    assert.deepEqual(ids({ status: 'unknown' }), ['3']);
    assert.deepEqual(ids({ status: 'failed', method: 'simclr' }), []);
    assert.deepEqual(ids({ method: 'sim' }), []);
  });

  it('does not change the list it is given', () => {
    const before = runs.map(r => r.id);
    filterRuns(runs, { method: 'byol' });
    assert.deepEqual(
      runs.map(r => r.id),
      before
    );
  });
});

describe('filterChoices', () => {
  it('lists the distinct values of the readable runs, sorted', () => {
    assert.deepEqual(filterChoices(runs), {
      method: ['byol', 'simclr'],
      dataset: ['mnist', 'spam'],
      status: ['done', 'failed', 'unknown']
    });
  });

  it('leaves out empty values and is empty for no runs', () => {
    const noDataset = [parseRun('x', configJson({ dataset: {} }), null)];
    assert.deepEqual(filterChoices(noDataset).dataset, []);
    assert.deepEqual(filterChoices([]), { method: [], dataset: [], status: [] });
  });
});
