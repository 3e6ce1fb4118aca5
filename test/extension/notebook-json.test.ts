// Unit tests for new-notebook content (src/commands/notebook-json.ts).
// Run: node --import tsx --test test/extension/notebook-json.test.ts
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ITemplate } from '../../src/catalog/model';
import {
  PRETEXT_KERNEL_NAME,
  blankNotebook,
  templateNotebook
} from '../../src/commands/notebook-json';

const template: ITemplate = {
  id: 'images',
  label: 'Images',
  modality: 'image',
  title: 'Quickstart',
  example: 'examples/01-quickstart.ipynb',
  notebook: {
    cells: [
      { id: 'a', cell_type: 'code', source: 'x', metadata: {}, outputs: [], execution_count: null }
    ],
    metadata: { kernelspec: { name: 'python3' }, custom: 1 },
    nbformat: 4,
    nbformat_minor: 5
  }
};

describe('templateNotebook', () => {
  it('gives a copy on the Pretext kernel, never the template itself', () => {
    const notebook = templateNotebook(template);
    assert.equal((notebook.metadata.kernelspec as { name: string }).name, PRETEXT_KERNEL_NAME);
    assert.equal(notebook.metadata.custom, 1);
    notebook.cells[0].source = 'changed';
    assert.equal(template.notebook.cells[0].source, 'x');
    assert.equal((template.notebook.metadata.kernelspec as { name: string }).name, 'python3');
  });
});

describe('blankNotebook', () => {
  it('imports the library in one code cell on the Pretext kernel', () => {
    const notebook = blankNotebook();
    assert.equal(notebook.nbformat, 4);
    assert.equal(notebook.cells.length, 1);
    assert.equal(notebook.cells[0].cell_type, 'code');
    assert.match(String(notebook.cells[0].source), /import \* as px from 'pretext'/);
    assert.equal((notebook.metadata.kernelspec as { name: string }).name, 'pretext');
  });
});
