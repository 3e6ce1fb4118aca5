// Tests for scripts/gen-catalog.mjs: the extension's catalog, guide and notebook templates
// generated from the kernel library and examples/.
// Run: node --import tsx --test test/extension/catalog-gen.test.ts
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { guideSteps } from '../../kernel/src/guide/guide';
import { METHODS } from '../../kernel/src/tasks/catalog';

const ROOT = join(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

// gen-catalog.mjs is an ES module; this test file compiles to CommonJS.
const load = () => import('../../scripts/gen-catalog.mjs');

describe('gen-catalog', () => {
  it('turns every present example with a template number into a template', async () => {
    const gen = await load();
    const examples = gen.readExamples(EXAMPLES);
    const { file, skipped } = gen.buildCatalogFile({ methods: METHODS, guideSteps, examples });
    const present = readdirSync(EXAMPLES).filter(f => f.endsWith('.ipynb'));
    for (const template of gen.TEMPLATES) {
      const example = present.find(f => f.startsWith(template.prefix));
      const built = file.templates.find(t => t.id === template.id);
      if (example) {
        assert.ok(built, `examples/${example} did not become template '${template.id}'`);
        assert.equal(built.example, `examples/${example}`);
      } else {
        assert.equal(built, undefined);
        assert.ok(
          skipped.some(s => s.startsWith(`${template.id}:`)),
          `no note for ${template.id}`
        );
      }
    }
    assert.ok(
      file.templates.some(t => t.id === 'images'),
      'the quickstart template is missing'
    );
  });

  it('clears outputs and counts, keeps ids and sources, and sets the Pretext kernel', async () => {
    const gen = await load();
    const examples = gen.readExamples(EXAMPLES);
    const { file } = gen.buildCatalogFile({ methods: METHODS, guideSteps, examples });
    for (const template of file.templates) {
      const source = examples.find(e => template.example.endsWith(e.file))!.notebook;
      const notebook = template.notebook;
      assert.equal(notebook.metadata.kernelspec.name, 'pretext');
      assert.equal(notebook.nbformat, 4);
      assert.equal(notebook.cells.length, source.cells.length);
      notebook.cells.forEach((cell: Record<string, unknown>, index: number) => {
        const original = source.cells[index];
        assert.equal(cell.id, original.id);
        const text = Array.isArray(original.source) ? original.source.join('') : original.source;
        assert.equal(cell.source, text);
        if (cell.cell_type === 'code') {
          assert.deepEqual(cell.outputs, []);
          assert.equal(cell.execution_count, null);
        }
        assert.equal((cell.metadata as Record<string, unknown>).execution, undefined);
      });
      assert.ok(template.title.length > 0, `${template.id} has no title`);
    }
  });

  it('clears a notebook that has outputs', async () => {
    const gen = await load();
    const cleared = gen.clearNotebook({
      cells: [
        {
          id: 'a',
          cell_type: 'code',
          source: ['1 +', ' 1'],
          execution_count: 3,
          metadata: { execution: { start: 1 }, tags: ['x'] },
          outputs: [{ output_type: 'stream', name: 'stdout', text: '2' }]
        },
        { id: 'b', cell_type: 'markdown', source: '# Hello', metadata: {} }
      ],
      metadata: { kernelspec: { name: 'python3' } },
      nbformat: 4,
      nbformat_minor: 4
    });
    assert.deepEqual(cleared.cells[0], {
      id: 'a',
      cell_type: 'code',
      metadata: { tags: ['x'] },
      source: '1 + 1',
      execution_count: null,
      outputs: []
    });
    assert.equal(cleared.metadata.kernelspec.name, 'pretext');
    assert.equal(cleared.nbformat_minor, 5);
    assert.equal(gen.notebookTitle(cleared), 'Hello');
  });

  it('rejects files that are not notebooks, naming the file', async () => {
    const gen = await load();
    assert.throws(
      () => gen.clearNotebook({ cells: 'no' }, 'x.ipynb'),
      /x\.ipynb is not a notebook/
    );
    assert.throws(
      () => gen.clearNotebook({ cells: [{}] }, 'y.ipynb'),
      /y\.ipynb: cell 0 has no cell_type/
    );
  });

  it('copies the kernel catalog and rejects a broken one', async () => {
    const gen = await load();
    const methods = gen.catalogMethods(METHODS);
    assert.deepEqual(
      methods.map(m => m.name),
      METHODS.map(m => m.name)
    );
    assert.equal(methods[0].snippet, METHODS[0].snippet);
    assert.throws(() => gen.catalogMethods([]), /empty.*build:kernel/);
    assert.throws(() => gen.catalogMethods([{ ...METHODS[0], summary: '' }]), /no 'summary'/);
    assert.throws(() => gen.catalogMethods([METHODS[0], METHODS[0]]), /twice/);
  });

  it("takes the guide's seven steps from the kernel guide", async () => {
    const gen = await load();
    const steps = gen.guideEntries(guideSteps);
    assert.deepEqual(
      steps.map((s: { id: string }) => s.id),
      ['objective', 'task', 'data', 'backend', 'train', 'evaluate', 'iterate']
    );
    assert.equal(steps[0].title, 'Define the objective');
    assert.ok(steps.every((s: { detail: string }) => s.detail.length > 0));
  });
});
