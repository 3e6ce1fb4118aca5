// Notebooks saved before the protocol had versions must still render: the payloads in
// fixtures/saved-v0-outputs.json are what the kernel wrote then (no `version` field), kept
// as they were. Run: node --import tsx --test test/extension/saved-outputs.test.ts
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { PROTOCOL_VERSION } from 'pretext/protocol';
import { CHART_MIME_TYPE, DASHBOARD_MIME_TYPE, TABLE_MIME_TYPE } from '../../src/mime';
import { parseChartData, parseDashboardData, parseTableData } from '../../src/renderers/models';

const saved = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'fixtures', 'saved-v0-outputs.json'), 'utf8')
) as { outputs: Array<Record<string, Record<string, unknown>>> };

const parsers: Record<string, (data: unknown) => { ok: boolean }> = {
  [CHART_MIME_TYPE]: parseChartData,
  [DASHBOARD_MIME_TYPE]: parseDashboardData,
  [TABLE_MIME_TYPE]: parseTableData
};

function outputs(): Array<[string, Record<string, unknown>]> {
  return saved.outputs.flatMap(output => Object.entries(output));
}

describe('saved notebooks', () => {
  it('holds version-less payloads of every kind', () => {
    assert.deepEqual(
      outputs()
        .map(([mime]) => mime)
        .sort(),
      Object.keys(parsers).sort()
    );
    for (const [, data] of outputs()) {
      assert.equal(data.version, undefined);
    }
  });

  it('renders v0 payloads, as objects and as the JSON strings tslab stores', () => {
    for (const [mime, data] of outputs()) {
      for (const form of [data, JSON.stringify(data)]) {
        const result = parsers[mime](form);
        assert.ok(result.ok, `${mime}: ${JSON.stringify(result)}`);
      }
    }
    const dashboard = parseDashboardData(outputs().find(([m]) => m === DASHBOARD_MIME_TYPE)![1]);
    assert.ok(dashboard.ok);
    assert.equal(dashboard.value.status, 'done');
    assert.equal(dashboard.value.progress.elapsedSec, 125);
  });

  it('renders a newer payload too, ignoring fields it does not know', () => {
    for (const [mime, data] of outputs()) {
      const newer = { ...data, version: PROTOCOL_VERSION + 1, addedLater: { x: 1 } };
      assert.ok(parsers[mime](newer).ok, mime);
    }
  });

  it('refuses a malformed version', () => {
    const [, table] = outputs().find(([m]) => m === TABLE_MIME_TYPE)!;
    const result = parseTableData({ ...table, version: 'one' });
    assert.equal(result.ok, false);
    assert.match(!result.ok ? result.error : '', /'version' must be a whole number/);
  });
});
