// Unit tests for reading the Pretext settings.
// Run: node --import tsx --test test/extension/settings-values.test.ts
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { DEFAULT_SETTINGS, normalizeSettings, resolveChartTheme } from '../../src/settings-values';

describe('settings', () => {
  it('matches the defaults declared in schema/plugin.json', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '../../schema/plugin.json'), 'utf8'));
    for (const [key, value] of Object.entries(DEFAULT_SETTINGS)) {
      assert.equal(schema.properties[key].default, value, key);
    }
  });

  it('keeps valid values and replaces broken ones by defaults', () => {
    assert.deepEqual(
      normalizeSettings({
        runStoreRoot: ' shared/runs ',
        defaultBatchSize: 0,
        defaultEpochs: 3,
        chartTheme: 'neon',
        trackingUri: 42
      }),
      {
        runStoreRoot: 'shared/runs',
        defaultBatchSize: 256,
        defaultEpochs: 3,
        chartTheme: 'auto',
        trackingUri: ''
      }
    );
    assert.equal(
      normalizeSettings({ trackingUri: ' http://127.0.0.1:5000 ' }).trackingUri,
      'http://127.0.0.1:5000'
    );
    assert.deepEqual(normalizeSettings(undefined), DEFAULT_SETTINGS);
  });

  it('resolves the chart theme', () => {
    assert.equal(resolveChartTheme('auto', true), 'light');
    assert.equal(resolveChartTheme('auto', false), 'dark');
    assert.equal(resolveChartTheme('dark', true), 'dark');
  });
});
