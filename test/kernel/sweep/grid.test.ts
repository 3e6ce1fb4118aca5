import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  checkSpec,
  expandSpec,
  gridFromFlags,
  mergeSpecs,
  readSpecFile,
  varyingNames
} from '../../../kernel/src/sweep/grid';

test('grid × zip × seeds, with fixed values underneath', () => {
  const configs = expandSpec({
    grid: { temperature: [0.1, 0.2], strength: [0.5, 1] },
    zip: { lr: [1e-3, 3e-3], batchSize: [64, 128] },
    seeds: { name: 'seed', values: [0, 1] },
    fixed: { epochs: 2, temperature: 9 }
  });
  assert.equal(configs.length, 2 * 2 * 2 * 2);
  assert.deepEqual(configs[0], {
    id: 'c001',
    params: { epochs: 2, temperature: 0.1, strength: 0.5, lr: 1e-3, batchSize: 64, seed: 0 }
  });
  assert.deepEqual(configs.at(-1)!.params, {
    epochs: 2,
    temperature: 0.2,
    strength: 1,
    lr: 3e-3,
    batchSize: 128,
    seed: 1
  });
  assert.equal(new Set(configs.map(c => JSON.stringify(c.params))).size, 16);
  assert.deepEqual(varyingNames(configs), ['temperature', 'strength', 'lr', 'batchSize', 'seed']);
});

test('listed configs, each crossed with the grid', () => {
  const configs = expandSpec({
    configs: [{ method: 'simclr' }, { method: 'byol' }],
    grid: { epochs: [1, 2] }
  });
  assert.deepEqual(
    configs.map(c => c.params),
    [
      { method: 'simclr', epochs: 1 },
      { method: 'simclr', epochs: 2 },
      { method: 'byol', epochs: 1 },
      { method: 'byol', epochs: 2 }
    ]
  );
});

test('flags: JSON values, plain text, lists with commas inside', () => {
  assert.deepEqual(
    gridFromFlags(['temperature=0.1,0.2', 'method=simclr', 'hidden=[64,64],[128]']),
    {
      temperature: [0.1, 0.2],
      method: ['simclr'],
      hidden: [[64, 64], [128]]
    }
  );
  assert.deepEqual(gridFromFlags(['name="a,b",null,true']), { name: ['a,b', null, true] });
  assert.throws(() => gridFromFlags(['temperature']), /Cannot read the parameter flag/);
  assert.deepEqual(mergeSpecs({ grid: { a: [1] }, fixed: { b: 1 } }, { grid: { a: [2, 3] } }), {
    grid: { a: [2, 3] },
    fixed: { b: 1 }
  });
});

test('empty and malformed specs are clear errors', () => {
  assert.throws(() => expandSpec({}), /The sweep is empty[\s\S]*Fix:/);
  assert.throws(() => checkSpec({ grid: { t: [] } }, 'g.json'), /grid\.t must be a non-empty list/);
  assert.throws(
    () => checkSpec({ zip: { a: [1, 2], b: [1] } }, 'g.json'),
    /differ in length \(a: 2, b: 1\)/
  );
  assert.throws(
    () => checkSpec({ seeds: [0.5] }, 'g.json'),
    /seeds must be a non-empty list of integers/
  );
  assert.throws(() => checkSpec({ grids: {} }, 'g.json'), /unknown key 'grids'/);
  assert.throws(() => checkSpec([1], 'g.json'), /is not a sweep specification/);
});

test('spec files: YAML and JSON, with syntax errors named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pretext-grid-'));
  try {
    writeFileSync(join(dir, 'g.yaml'), 'grid:\n  temperature: [0.1, 0.2]\nseeds: [0, 1]\n');
    assert.equal(expandSpec(readSpecFile(join(dir, 'g.yaml'))).length, 4);
    writeFileSync(join(dir, 'g.json'), '{"configs": [{"a": 1}]}');
    assert.deepEqual(expandSpec(readSpecFile(join(dir, 'g.json'))), [
      { id: 'c001', params: { a: 1 } }
    ]);
    writeFileSync(join(dir, 'bad.json'), '{grid: 1}');
    assert.throws(() => readSpecFile(join(dir, 'bad.json')), /is not valid JSON/);
    writeFileSync(join(dir, 'bad.yml'), 'grid: [1\n');
    assert.throws(() => readSpecFile(join(dir, 'bad.yml')), /is not valid YAML/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
