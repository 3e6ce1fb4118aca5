/**
 * Every catalog entry's snippet is a cell users insert and run as is: it must type-check
 * against the library's public entry, exactly as tslab would compile it.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { METHODS, RECIPES } from '../../../kernel/src/tasks/catalog';

const ROOT = resolve(__dirname, '../../..');

/** What the extension does on Insert: fill the settings' values into the placeholders. */
function fill(snippet: string): string {
  return snippet.replaceAll('{{epochs}}', '1').replaceAll('{{batchSize}}', '32');
}

test('the catalog names each method once and describes it fully', () => {
  const names = METHODS.map(m => m.name);
  assert.equal(new Set(names).size, names.length, `duplicate names in ${names.join(', ')}`);
  for (const method of METHODS) {
    for (const field of ['summary', 'whenToUse', 'snippet'] as const) {
      assert.ok(method[field].length > 20, `${method.name}.${field} is too short`);
    }
    assert.match(
      method.snippet,
      /\{\{epochs\}\}/,
      `${method.name}: snippet ignores the epochs setting`
    );
    assert.match(
      method.snippet,
      /\{\{batchSize\}\}/,
      `${method.name}: snippet ignores the batch size setting`
    );
    assert.match(
      method.snippet,
      /^import \* as px from 'pretext';/,
      `${method.name}: snippet must import pretext`
    );
  }
  for (const modality of ['image', 'text', 'tabular', 'timeseries']) {
    assert.ok(
      METHODS.some(m => m.modality === modality),
      `no ${modality} method in the catalog`
    );
  }
});

test('every recipe names a new method from public parts and fills the settings', () => {
  const names = new Set(METHODS.map(m => m.name));
  assert.ok(RECIPES.some(r => r.name === 'swap-the-loss'));
  for (const recipe of RECIPES) {
    assert.ok(!names.has(recipe.name), `${recipe.name} is also a method name`);
    assert.ok(recipe.summary.length > 20, `${recipe.name}.summary is too short`);
    assert.match(recipe.snippet, /^import \* as px from 'pretext';/);
    assert.match(recipe.snippet, /\{\{epochs\}\}[\s\S]*\{\{batchSize\}\}/);
  }
  const swap = RECIPES.find(r => r.name === 'swap-the-loss')!;
  assert.match(swap.snippet, /px\.jointEmbeddingTask\(/);
  assert.match(swap.snippet, /loss: \(z1, z2\) => px\.vicregLoss\(z1, z2\)/);
});

test('every snippet type-checks against the public API', () => {
  const files = new Map(
    [...METHODS, ...RECIPES].map(m => [
      resolve(ROOT, `build/snippets/${m.name}.ts`),
      fill(m.snippet)
    ])
  );
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ES2022,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    baseUrl: ROOT,
    paths: { pretext: ['kernel/src/index.ts'] }
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = name => files.get(resolve(name)) ?? readFile(name);
  host.fileExists = name => files.has(resolve(name)) || fileExists(name);
  host.getSourceFile = (name, language, ...rest) => {
    const text = files.get(resolve(name));
    return text !== undefined
      ? ts.createSourceFile(name, text, language)
      : getSourceFile(name, language, ...rest);
  };
  const program = ts.createProgram([...files.keys()], options, host);
  const problems = [...files.keys()].flatMap(name =>
    ts
      .getPreEmitDiagnostics(program, program.getSourceFile(name))
      .filter(d => d.file && files.has(resolve(d.file.fileName)))
      .map(d => {
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        return `${d.file!.fileName.replace(/.*\//, '')}:${line + 1}: ${text}`;
      })
  );
  assert.deepEqual(problems, []);
});
