// Unit tests for the side panel's catalog functions (src/catalog/model.ts), on the kernel's
// real catalog. Run: node --import tsx --test test/extension/catalog-model.test.ts
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { METHODS } from '../../kernel/src/tasks/catalog';
import {
  ICatalog,
  ITemplate,
  fillSnippet,
  findMethod,
  groupByModality,
  guideLinks
} from '../../src/catalog/model';

const values = { epochs: 7, batchSize: 96 };

function template(id: string): ITemplate {
  return {
    id,
    label: id,
    modality: 'image',
    title: id,
    example: `examples/${id}.ipynb`,
    notebook: { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }
  };
}

const catalog: ICatalog = {
  methods: METHODS.map(m => ({ ...m })),
  guide: [],
  templates: [template('images'), template('compare')]
};

describe('fillSnippet', () => {
  it('fills every placeholder of every catalog snippet', () => {
    for (const method of METHODS) {
      const filled = fillSnippet(method.snippet, values);
      assert.doesNotMatch(filled, /\{\{|\}\}/, `${method.name} still has a placeholder`);
      assert.match(filled, /epochs: 7/, method.name);
      assert.match(filled, /batchSize: 96/, method.name);
    }
  });

  it('replaces repeated placeholders and allows spaces inside the braces', () => {
    assert.equal(
      fillSnippet('a {{epochs}} b {{ epochs }} c {{batchSize}}', values),
      'a 7 b 7 c 96'
    );
  });

  it('leaves code without placeholders alone', () => {
    const code = 'const x = { a: 1 }; console.log(`${x.a}`);';
    assert.equal(fillSnippet(code, values), code);
  });

  it('rejects an unknown placeholder, naming it and the fix', () => {
    assert.throws(
      () => fillSnippet('train({{epochs}}, {{lr}})', values),
      /unknown placeholder \{\{lr\}\}.*kernel\/src\/tasks\/catalog\.ts/
    );
  });

  it('rejects values that are not positive integers', () => {
    for (const bad of [0, -1, 2.5, Number.NaN]) {
      assert.throws(
        () => fillSnippet('{{epochs}}', { epochs: bad, batchSize: 8 }),
        /positive integer.*Settings/
      );
    }
  });
});

describe('groupByModality', () => {
  it('groups in display order and drops empty modalities', () => {
    const groups = groupByModality([
      { ...METHODS[0], name: 'a', modality: 'text' },
      { ...METHODS[0], name: 'b', modality: 'image' },
      { ...METHODS[0], name: 'c', modality: 'text' }
    ]);
    assert.deepEqual(
      groups.map(g => [g.label, g.methods.map(m => m.name)]),
      [
        ['Images', ['b']],
        ['Text', ['a', 'c']]
      ]
    );
  });

  it('keeps methods of an unknown modality, last, under their own name', () => {
    const groups = groupByModality([
      { ...METHODS[0], name: 'g', modality: 'graph' },
      { ...METHODS[0], name: 'i', modality: 'image' }
    ]);
    assert.deepEqual(
      groups.map(g => g.label),
      ['Images', 'graph']
    );
  });

  it('puts every kernel method in exactly one group', () => {
    const names = groupByModality(catalog.methods).flatMap(g => g.methods.map(m => m.name));
    assert.deepEqual([...names].sort(), METHODS.map(m => m.name).sort());
  });
});

describe('guideLinks', () => {
  it('links only to templates and methods that exist', () => {
    for (const step of ['objective', 'task', 'data', 'backend', 'train', 'evaluate', 'iterate']) {
      for (const link of guideLinks(catalog, step)) {
        if (link.kind === 'method') {
          assert.ok(findMethod(catalog, link.name), `${step} links to missing ${link.name}`);
        } else {
          assert.ok(
            catalog.templates.some(t => t.id === link.id),
            `${step} links to missing template ${link.id}`
          );
        }
      }
    }
  });

  it('offers one method per family for choosing a pretext task', () => {
    const links = guideLinks(catalog, 'task');
    const families = new Set(METHODS.map(m => m.family));
    assert.equal(links.length, families.size);
  });

  it('points the data step at the modality templates that were generated', () => {
    const withText: ICatalog = { ...catalog, templates: [...catalog.templates, template('text')] };
    assert.deepEqual(
      guideLinks(withText, 'data').map(l => (l.kind === 'template' ? l.id : l.name)),
      ['images', 'text']
    );
    assert.deepEqual(guideLinks({ ...catalog, templates: [] }, 'iterate'), []);
  });

  it('has no links for an unknown step', () => {
    assert.deepEqual(guideLinks(catalog, 'nope'), []);
  });
});
