/**
 * The real papermill CLI on a Pretext notebook: `-p`/`-y` values are injected after the cell
 * tagged `parameters` as a TypeScript cell and reach px.params; a wrong name or type fails
 * the run with the notebook's own error.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { joined, readNotebook } from './notebook';
import { VENV_BIN, writeNotebook } from './sweep-fixture';

let dir: string;
let source: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pretext-papermill-'));
  source = writeNotebook(dir, 'params.ipynb', [
    {
      tags: ['parameters'],
      source: [
        "import * as px from 'pretext';",
        'const P = px.params({',
        "  small: { temperature: 0.2, name: 'plain', flag: false, sizes: [1], extra: { k: 1 }, note: null },",
        "  full: { temperature: 0.2, name: 'plain', flag: false, sizes: [1], extra: { k: 1 }, note: null }",
        '});'
      ].join('\n')
    },
    { source: "console.log('PARAMS ' + JSON.stringify(P));" }
  ]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

function papermill(output: string, args: string[]) {
  return spawnSync(
    join(VENV_BIN, 'papermill'),
    [source, join(dir, output), '-k', 'pretext', '--cwd', dir, ...args],
    { encoding: 'utf8', env: { ...process.env, PRETEXT_FULL: '0' }, timeout: 300_000 }
  );
}

const tricky = `it's "quoted" \\ back\nslash </script> ü`;

test('papermill -p/-y injects a TypeScript cell that px.params reads', () => {
  const result = papermill('out.ipynb', [
    '-p',
    'temperature',
    '0.1',
    '-p',
    'flag',
    'True',
    '-p',
    'name',
    tricky,
    '-y',
    'sizes: [2, 3]\nextra: {k: 5, nested: [true, null]}\nnote: null'
  ]);
  assert.equal(result.status, 0, result.stderr);
  const notebook = readNotebook(join(dir, 'out.ipynb'));
  const injected = notebook.cells[1] as {
    source: string | string[];
    metadata?: { tags?: string[] };
  };
  assert.deepEqual(injected.metadata?.tags, ['injected-parameters']);
  assert.match(joined(injected.source), /injectParams\(/);
  const printed = notebook.cells
    .flatMap(c => c.outputs ?? [])
    .map(o => joined(o.text))
    .find(t => t.startsWith('PARAMS '));
  assert.ok(printed, 'the cell after the injected one printed the parameters');
  assert.deepEqual(JSON.parse(printed.slice('PARAMS '.length)), {
    temperature: 0.1,
    name: tricky,
    flag: true,
    sizes: [2, 3],
    extra: { k: 5, nested: [true, null] },
    note: null,
    full: false
  });
});

/** Everything the executed notebook's cells printed (tslab reports errors on stderr). */
function printed(output: string): string {
  return readNotebook(join(dir, output))
    .cells.flatMap(c => c.outputs ?? [])
    .map(o => joined(o.text) + joined(o.evalue))
    .join('\n');
}

test('a misspelt or mistyped parameter fails the run with the closest name', () => {
  const typo = papermill('typo.ipynb', ['-p', 'temprature', '0.1']);
  assert.notEqual(typo.status, 0);
  assert.match(printed('typo.ipynb'), /sets 'temprature'[\s\S]*Did you mean 'temperature'/);
  const wrong = papermill('wrong.ipynb', ['-p', 'temperature', 'warm']);
  assert.notEqual(wrong.status, 0);
  assert.match(printed('wrong.ipynb'), /'temperature' to "warm" \(string\)/);
});

test('jupyterlab_pretext.papermill imports on its own and registers the engine and translator', () => {
  // Importing it first makes papermill load its entry points mid-import (a circular import).
  const check = [
    'import jupyterlab_pretext.papermill as m',
    'from papermill.engines import papermill_engines',
    'from papermill.translators import papermill_translators',
    "assert papermill_engines.get_engine('pretext') is m.PretextEngine",
    "assert papermill_translators.find_translator('pretext', 'typescript') is m.TypeScriptTranslator",
    'print(m.PretextEngine.nb_kernel_name.__qualname__)'
  ].join('\n');
  const result = spawnSync(join(VENV_BIN, 'python'), ['-c', check], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /nb_kernel_name/);
});
