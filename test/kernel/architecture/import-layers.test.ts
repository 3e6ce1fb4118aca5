/**
 * The kernel library's folders form layers, and an import may only go down: a folder uses the
 * folders below it, never one above or beside it, so there are no import cycles between
 * folders. Every import of kernel/src is read with TypeScript's own pre-processor (static,
 * `export ... from`, dynamic `import()` and type-only imports alike: a type import still
 * ties the folders together).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

/** Bottom to top. Folders in one layer are independent of each other. */
export const LAYERS: readonly (readonly string[])[] = [
  ['util'],
  ['protocol', 'events', 'options'],
  ['backend'],
  ['render'],
  ['data'],
  ['text', 'models'],
  ['features'],
  ['augment', 'losses'],
  ['tasks'],
  ['runs'],
  ['tracking'],
  ['share'],
  ['loaders'],
  ['datasets'],
  ['train'],
  ['eval'],
  ['guide'],
  ['sweep'],
  ['cli'],
  ['index.ts']
];

/**
 * Back-imports not yet removed, as `file -> folder it imports from`. The test fails when one
 * is added AND when one of these is gone (then delete its line), so the list only shrinks.
 */
export const KNOWN_BACK_IMPORTS: readonly string[] = [];

export interface Violation {
  file: string;
  specifier: string;
  from: string;
  to: string;
}

const SRC = path.resolve(__dirname, '../../../kernel/src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return sourceFiles(full);
    }
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The top folder of a path inside `root` (a file directly in it names itself). */
function unitOf(root: string, file: string): string {
  return path.relative(root, file).split(path.sep)[0];
}

/** The file (or folder, for `./protocol`-style imports of an index) an import points at. */
function resolveImport(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return base;
}

/** Every relative import of every file under `root` that does not go down the layers. */
export function layerViolations(root: string, layers = LAYERS): Violation[] {
  const layerOf = new Map<string, number>();
  layers.forEach((units, i) => units.forEach(unit => layerOf.set(unit, i)));
  const violations: Violation[] = [];
  for (const file of sourceFiles(root)) {
    const from = unitOf(root, file);
    const rel = path.relative(root, file).split(path.sep).join('/');
    assert.ok(
      layerOf.has(from),
      `kernel/src/${from} is in no layer: add it to LAYERS in ${path.basename(__filename)} (${rel}).`
    );
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!specifier.startsWith('.')) {
        continue;
      } // packages sit below everything
      const to = unitOf(root, resolveImport(file, specifier));
      if (to === from) {
        continue;
      }
      const target = layerOf.get(to);
      if (target === undefined || target >= layerOf.get(from)!) {
        violations.push({ file: rel, specifier, from, to });
      }
    }
  }
  return violations;
}

const describe = (v: Violation) => `${v.file} -> ${v.specifier}`;

test('kernel/src imports only go down the layers', () => {
  const found = layerViolations(SRC);
  const fresh = found.filter(v => !KNOWN_BACK_IMPORTS.includes(`${v.file} -> ${v.to}`));
  assert.deepEqual(
    fresh.map(describe),
    [],
    `Imports that run up (or sideways) the layers [${LAYERS.map(l => l.join(' ')).join(' < ')}]:\n` +
      fresh.map(v => `  kernel/src/${describe(v)}`).join('\n') +
      '\nMove the shared piece down (util/, events/, features/, render/, data/) or the importer up.'
  );
  const gone = KNOWN_BACK_IMPORTS.filter(k => !found.some(v => `${v.file} -> ${v.to}` === k));
  assert.deepEqual(gone, [], 'These back-imports are gone: delete them from KNOWN_BACK_IMPORTS.');
});

test('a back-import is caught, with its file and import named', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-layers-'));
  try {
    const write = (file: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), text);
    };
    write('util/a.ts', "import type { B } from '../data/b';\nexport const a = 1;\n");
    write('data/b.ts', "import { a } from '../util/a';\nexport type B = typeof a;\n");
    write('data/c.ts', "export const c = async () => import('../protocol');\n");
    write('protocol/index.ts', "export * from '../util/a';\n");
    const layers = [['util'], ['protocol'], ['data']];
    assert.deepEqual(layerViolations(root, layers).map(describe), ['util/a.ts -> ../data/b']);
    // Beside is not below: two folders of one layer may not import each other.
    assert.deepEqual(
      layerViolations(root, [['util'], ['protocol', 'data']])
        .map(describe)
        .sort(),
      ['data/c.ts -> ../protocol', 'util/a.ts -> ../data/b']
    );
    assert.throws(() => layerViolations(root, [['util'], ['data']]), /protocol is in no layer/);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
