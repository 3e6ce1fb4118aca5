import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { declaredParameters, readNotebookParameters } from '../../../kernel/src/sweep/notebook';
import { configDifferences } from '../../../kernel/src/sweep/sweep-store';

test('the parameters a px.params cell declares, with their defaults', () => {
  const source = [
    "import * as px from 'pretext';",
    'const WINDOW = 64;',
    'let label = "x";',
    'const P = px.params({',
    "  small: { perClass: 300, lr: 2e-3, seeds: [0], hidden: [128, 128], ceiling: false, name: 'a', shift: -1, note: null, derived: WINDOW * 2 },",
    "  full: { perClass: 1000, lr: 2e-3, seeds: [0, 1, 2], hidden: [256], ceiling: true, name: 'b', shift: -1, note: null, derived: 1, fullOnly: 3 }",
    '});',
    'px.guide();'
  ].join('\n');
  // Plain consts are not parameters: the injected cell cannot reassign them.
  assert.deepEqual(declaredParameters(source), {
    perClass: 300,
    lr: 2e-3,
    seeds: [],
    hidden: [],
    ceiling: false,
    name: 'a',
    shift: -1,
    note: null,
    derived: 1,
    fullOnly: 3
  });
});

test('a notebook without a parameters cell, or with one that declares nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pretext-nb-'));
  try {
    const write = (cells: unknown[]) => {
      writeFileSync(
        join(dir, 'n.ipynb'),
        JSON.stringify({ cells, metadata: { kernelspec: { name: 'pretext' } } })
      );
      return join(dir, 'n.ipynb');
    };
    assert.throws(
      () =>
        readNotebookParameters(
          write([{ cell_type: 'code', source: 'const a = 1;', metadata: {} }])
        ),
      /no cell tagged 'parameters'[\s\S]*Fix: Tag the cell/
    );
    assert.throws(
      () =>
        readNotebookParameters(
          write([{ cell_type: 'code', source: 'px.guide();', metadata: { tags: ['parameters'] } }])
        ),
      /declares no parameters/
    );
    const ok = readNotebookParameters(
      write([
        {
          cell_type: 'code',
          source: ['const P = px.params({ small: { t: 1 },', ' full: { t: 2 } });'],
          metadata: { tags: ['parameters'] }
        }
      ])
    );
    assert.deepEqual(ok, { declared: { t: 1 }, kernel: 'pretext' });
    writeFileSync(join(dir, 'broken.ipynb'), '{');
    assert.throws(
      () => readNotebookParameters(join(dir, 'broken.ipynb')),
      /Cannot read the notebook/
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a resumed grid is compared configuration by configuration', () => {
  const before = [
    { id: 'c001', params: { t: 0.1 } },
    { id: 'c002', params: { t: 0.2 } }
  ];
  assert.deepEqual(configDifferences(before, before), []);
  assert.deepEqual(configDifferences(before, [{ id: 'c001', params: { t: 0.3 } }]), [
    'c001 was {"t":0.1}, now {"t":0.3}',
    'c002 is no longer in the grid'
  ]);
  assert.deepEqual(configDifferences([before[0]], before), ['c002 is new ({"t":0.2})']);
});
