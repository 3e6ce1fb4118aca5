// Unit tests for display formatting and table sorting.
// Run: node --import tsx --test test/extension/format.test.ts
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  MISSING,
  formatCell,
  formatDuration,
  formatNumber,
  formatPercent,
  isNumericColumn,
  progressFraction,
  sortRows
} from '../../src/renderers/format';

describe('formatNumber', () => {
  it('formats integers in full with separators', () => {
    assert.equal(formatNumber(60000), '60,000');
    assert.equal(formatNumber(-1234567), '-1,234,567');
    assert.equal(formatNumber(0), '0');
  });

  it('keeps 4 significant digits', () => {
    assert.equal(formatNumber(0.123456), '0.1235');
    assert.equal(formatNumber(4.5), '4.5');
    assert.equal(formatNumber(1234.56), '1,235');
  });

  it('uses exponents for tiny and huge magnitudes', () => {
    assert.equal(formatNumber(0.000012345), '1.23e-5');
    assert.equal(formatNumber(12345678.9), '1.23e+7');
  });

  it('shows missing values as a dash', () => {
    assert.equal(formatNumber(null), MISSING);
    assert.equal(formatNumber(Number.NaN), MISSING);
  });
});

describe('formatPercent / formatDuration / progressFraction', () => {
  it('formats fractions as percentages', () => {
    assert.equal(formatPercent(0.7346), '73.5%');
    assert.equal(formatPercent(null), MISSING);
  });

  it("formats durations as the kernel's text does (one protocol format, budget syntax)", () => {
    assert.equal(formatDuration(42.4), '42s');
    assert.equal(formatDuration(185), '3m05s');
    assert.equal(formatDuration(3720), '1h02m');
    assert.equal(formatDuration(-1), MISSING);
    assert.equal(formatDuration(null), MISSING);
  });

  it('clamps progress', () => {
    assert.equal(progressFraction(50, 200), 0.25);
    assert.equal(progressFraction(300, 200), 1);
    assert.equal(progressFraction(5, 0), 0);
  });
});

describe('table cells and sorting', () => {
  const rows = [
    { task: 'simclr', acc: 0.9 },
    { task: 'rotation', acc: null },
    { task: 'byol', acc: 0.92 },
    { task: 'Barlow', acc: 0.85 }
  ];

  it('formats cells by column format', () => {
    assert.equal(formatCell(0.9, 'percent'), '90.0%');
    assert.equal(formatCell(0.9, 'text'), '0.9');
    assert.equal(formatCell('x', 'number'), 'x');
    assert.equal(formatCell(null), MISSING);
  });

  it('detects numeric columns', () => {
    assert.equal(isNumericColumn(rows, 'acc'), true);
    assert.equal(isNumericColumn(rows, 'task'), false);
    assert.equal(isNumericColumn(rows, 'acc', 'text'), false);
  });

  it('sorts numbers both ways with missing values last', () => {
    const up = sortRows(rows, 'acc', 'ascending').map(row => row.task);
    const down = sortRows(rows, 'acc', 'descending').map(row => row.task);
    assert.deepEqual(up, ['Barlow', 'simclr', 'byol', 'rotation']);
    assert.deepEqual(down, ['byol', 'simclr', 'Barlow', 'rotation']);
  });

  it('sorts strings case-insensitively and naturally, without touching the input', () => {
    const runs = [{ id: 'run-10' }, { id: 'run-9' }, { id: 'Run-1' }];
    assert.deepEqual(
      sortRows(runs, 'id', 'ascending').map(row => row.id),
      ['Run-1', 'run-9', 'run-10']
    );
    assert.deepEqual(
      runs.map(row => row.id),
      ['run-10', 'run-9', 'Run-1']
    );
  });
});
