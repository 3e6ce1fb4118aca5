/**
 * Notebook content for new Pretext notebooks: a template's (generated from the examples) or
 * a blank one, always with the Pretext kernelspec so JupyterLab starts that kernel.
 * Pure module: no DOM, no JupyterLab.
 */
import { INotebookJson, ITemplate } from '../catalog/model';

export const PRETEXT_KERNEL_NAME = 'pretext';

const KERNELSPEC = {
  name: PRETEXT_KERNEL_NAME,
  display_name: 'TypeScript (Pretext)',
  language: 'typescript'
};

/** A fresh copy of the template's notebook (the generated data must never be mutated). */
export function templateNotebook(template: ITemplate): INotebookJson {
  const copy = JSON.parse(JSON.stringify(template.notebook)) as INotebookJson;
  copy.metadata = { ...copy.metadata, kernelspec: KERNELSPEC };
  return copy;
}

/** A notebook with one code cell importing the library. */
export function blankNotebook(): INotebookJson {
  return {
    cells: [
      {
        id: 'pretext-start',
        cell_type: 'code',
        metadata: {},
        execution_count: null,
        outputs: [],
        source: "import * as px from 'pretext';"
      }
    ],
    metadata: {
      kernelspec: KERNELSPEC,
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}
