/**
 * What the Pretext commands do to notebooks: create one from a template with the Pretext
 * kernel, and insert a catalog snippet as a new code cell.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';

import { ICatalogMethod, INotebookJson, ISnippetValues, fillSnippet } from '../catalog/model';
import { PRETEXT_KERNEL_NAME } from './notebook-json';

/** What `pretext:insert-snippet` returns, so the panel can show it in place. */
export interface IInsertResult {
  inserted: boolean;
  /** One sentence for the user: where the cell went, or why nothing was inserted. */
  message: string;
}

/**
 * Creates a notebook in `cwd` and opens it on the Pretext kernel.
 *
 * The file is written with its content and the Pretext kernelspec first and only then
 * opened, with the kernel also named in the open request: the notebook never starts on the
 * default (Python) kernel, and there is no window where a half-filled notebook is shown.
 */
export async function createPretextNotebook(
  app: JupyterFrontEnd,
  content: INotebookJson,
  cwd: string
): Promise<string> {
  const contents = app.serviceManager.contents;
  const created = await contents.newUntitled({ path: cwd, type: 'notebook' });
  await contents.save(created.path, { type: 'notebook', format: 'json', content });
  await app.commands.execute('docmanager:open', {
    path: created.path,
    factory: 'Notebook',
    kernel: { name: PRETEXT_KERNEL_NAME }
  });
  return created.path;
}

/**
 * Inserts the method's snippet, filled with `values`, as a code cell below the active cell
 * of the current notebook, and makes it the active cell.
 */
export function insertSnippet(
  tracker: INotebookTracker | null,
  method: ICatalogMethod,
  values: ISnippetValues
): IInsertResult {
  const panel = tracker?.currentWidget ?? null;
  if (panel === null || panel.content.model === null) {
    return {
      inserted: false,
      message: `No notebook is open: open or create a Pretext notebook, then insert '${method.name}' again.`
    };
  }
  const source = fillSnippet(method.snippet, values);
  const notebook = panel.content;
  NotebookActions.insertBelow(notebook);
  // insertBelow uses the default cell type, which a user may have set to Markdown.
  NotebookActions.changeCellType(notebook, 'code');
  const cell = notebook.activeCell;
  if (cell === null) {
    return { inserted: false, message: 'The notebook has no active cell to insert below.' };
  }
  cell.model.sharedModel.setSource(source);
  const kernel = panel.sessionContext.session?.kernel?.name;
  const where = `Inserted the '${method.name}' snippet into ${panel.context.path}`;
  return {
    inserted: true,
    message:
      kernel !== undefined && kernel !== PRETEXT_KERNEL_NAME
        ? `${where}; it runs on the Pretext kernel, and this notebook uses '${kernel}'.`
        : `${where}.`
  };
}
