/** The launcher's cell rewrite, on source text (the real-kernel test is in test/integration). */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { expandShorthand } from '../../../kernel/launcher/shorthand';

const require_ = createRequire(__filename);
const tslabRoot = dirname(require_.resolve('tslab/package.json'));
const ts = require_(require_.resolve('@tslab/typescript-for-tslab', { paths: [tslabRoot] }));
const expand = (source: string): string => expandShorthand(ts, source);

test('shorthand properties become string keys with their values', () => {
  assert.equal(
    expand('px.simclr({ encoder, augment })'),
    'px.simclr({ "encoder": encoder, "augment": augment })'
  );
  assert.equal(
    expand('const o = { a: { b, c: [{ d }] } };'),
    'const o = { a: { "b": b, c: [{ "d": d }] } };'
  );
});

test('declared names stay; destructured property names become string keys', () => {
  assert.equal(
    expand('const { a, b } = o; const [c] = xs;'),
    'const { a, b } = o; const [c] = xs;'
  );
  assert.equal(expand('const { outer: { list } } = n;'), 'const { "outer": { list } } = n;');
  assert.equal(expand('({ a: x, b } = o);'), '({ "a": x, "b": b } = o);');
  assert.equal(expand('for ({ a: q } of xs) {}'), 'for ({ "a": q } of xs) {}');
  assert.equal(expand('x = { k: v };'), 'x = { k: v };');
});

test('strings, comments, templates, syntax errors and __proto__ are left as typed', () => {
  for (const source of [
    "const s = '{ a }'; // { b }\n/* { c } */",
    'const t = `{ a }`;',
    'f({ a, ',
    'f({ __proto__ })'
  ]) {
    assert.equal(expand(source), source);
  }
  assert.equal(expand('const t = `${ {e} }`;'), 'const t = `${ {"e": e} }`;');
});

test('lines stay where they were typed', () => {
  const source = 'const o = { a };\nconst n: number = "x";';
  assert.equal(expand(source).split('\n')[1], source.split('\n')[1]);
});
