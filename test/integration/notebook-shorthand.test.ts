/**
 * The shorthand trap, through a real `pretext` kernel: `{ augment }` with `augment` declared in
 * an earlier cell threw a ReferenceError under tslab. The launcher spells shorthand properties
 * out (and destructured property names as string keys) before tslab compiles a cell;
 * strings, comments and line numbers stay as typed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCells, type CellResult } from './kernel-session';

const workdir = mkdtempSync(join(tmpdir(), 'pretext-shorthand-'));
let results: CellResult[] = [];

before(() => {
  results = runCells(
    [
      {
        source: `import * as px from 'pretext';
const augment = px.simclrAugment();
const encoder = px.convEncoder({ inputShape: [8, 8, 1], filters: [8], seed: 1 });
let target = 0;
const label = 'x';`
      },
      {
        source: `const task = px.simclr({ encoder, augment });
console.log('method', task.method, task.encoder === encoder);`
      },
      {
        source: `const nested = { outer: { augment, list: [{ encoder, label }] } };
console.log('nested', nested.outer.augment === augment, nested.outer.list[0].encoder === encoder, nested.outer.list[0].label);`
      },
      {
        source: `const { method } = task;
const [first] = [label];
const { outer: { list: [{ label: inner }] } } = nested;
console.log('destructured', method, first, inner);`
      },
      {
        source: `({ target } = { target: 5 });
let part: unknown;
({ outer: part } = nested);
console.log('target', target, part === nested.outer);`
      },
      {
        source:
          "const text = '{ augment }'; /* { encoder } */ // { label }\n" +
          'const tpl = `{ label } ${JSON.stringify({ label })}`;\n' +
          "console.log('text', text, tpl);"
      },
      { source: `const again = { augment };\nconst wrong: number = 'no';` }
    ],
    workdir
  );
});

after(() => rmSync(workdir, { recursive: true, force: true }));

const cell = (i: number) => {
  const r = results[i];
  assert.equal(r.status, 'ok', `cell ${i + 1}: ${JSON.stringify(r.error)} ${r.stderr}`);
  return r.stdout;
};

test('a shorthand property names a variable from an earlier cell', () => {
  cell(0);
  assert.equal(cell(1), 'method simclr true\n');
});

test('shorthand inside nested objects and arrays', () => {
  assert.equal(cell(2), 'nested true true x\n');
});

test('destructuring declarations work, also of an object from an earlier cell', () => {
  assert.equal(cell(3), 'destructured simclr x x\n');
});

test('a destructuring assignment to an earlier cell variable assigns it', () => {
  assert.equal(cell(4), 'target 5 true\n');
});

test('strings, comments and template text are untouched', () => {
  assert.equal(cell(5), 'text { augment } { label } {"label":"x"}\n');
});

test('diagnostics still point at the line and column as typed', () => {
  const r = results[6];
  assert.equal(r.status, 'error');
  assert.match(r.stderr, /^2:7 - Type 'string' is not assignable to type 'number'/m);
});
