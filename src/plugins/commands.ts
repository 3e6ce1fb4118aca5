/**
 * `jupyterlab-pretext:commands`: the Pretext commands, their palette entries and one
 * launcher card per notebook template (category "Pretext").
 *
 * pretext:new-notebook {template?, cwd?}   a notebook from a template, on the Pretext kernel
 * pretext:open-panel                       shows the side panel
 * pretext:insert-snippet {method}          a catalog snippet below the active cell
 * pretext:refresh-runs                     re-reads the run store
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';

import { CATALOG } from '../catalog/data';
import { findMethod, findTemplate } from '../catalog/model';
import { IInsertResult, createPretextNotebook, insertSnippet } from '../commands/actions';
import { CommandIds, LAUNCHER_CATEGORY, PANEL_ID } from '../commands/ids';
import { blankNotebook, templateNotebook } from '../commands/notebook-json';
import { pretextIcon } from '../panel/icon';
import { DEFAULT_SETTINGS } from '../settings-values';
import { IPretextRunStore, IPretextSettings } from '../tokens';

const PALETTE_CATEGORY = 'Pretext';

function stringArg(args: Record<string, unknown>, key: string): string | undefined {
  const value = args[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export const commandsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-pretext:commands',
  description: 'Pretext commands, palette entries and launcher cards for the notebook templates.',
  autoStart: true,
  optional: [IPretextSettings, INotebookTracker, IPretextRunStore, ILauncher, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    settings: IPretextSettings | null,
    tracker: INotebookTracker | null,
    runs: IPretextRunStore | null,
    launcher: ILauncher | null,
    palette: ICommandPalette | null
  ): void => {
    const { commands } = app;

    commands.addCommand(CommandIds.newNotebook, {
      label: args => {
        const template = findTemplate(CATALOG, stringArg(args, 'template') ?? '');
        if (args.isLauncher && template) {
          return template.label;
        }
        return template ? `New Pretext Notebook: ${template.label}` : 'New Pretext Notebook';
      },
      caption: args => {
        const template = findTemplate(CATALOG, stringArg(args, 'template') ?? '');
        return template
          ? `${template.title} (from ${template.example}, on the Pretext kernel)`
          : 'A blank notebook on the Pretext (TypeScript) kernel';
      },
      icon: args => (args.isPalette ? undefined : pretextIcon),
      execute: async args => {
        const id = stringArg(args, 'template');
        const template = id === undefined ? undefined : findTemplate(CATALOG, id);
        if (id !== undefined && template === undefined) {
          const known = CATALOG.templates.map(t => t.id).join(', ');
          Notification.error(`No Pretext template '${id}'. Templates: ${known}.`);
          return undefined;
        }
        const content = template ? templateNotebook(template) : blankNotebook();
        try {
          return await createPretextNotebook(app, content, stringArg(args, 'cwd') ?? '');
        } catch (error) {
          Notification.error(
            `The Pretext notebook could not be created: ${(error as Error).message}`
          );
          return undefined;
        }
      }
    });

    commands.addCommand(CommandIds.openPanel, {
      label: 'Open the Pretext Panel',
      caption: 'Method catalog, runs browser and the step-by-step guide',
      execute: () => {
        app.shell.activateById(PANEL_ID);
      }
    });

    commands.addCommand(CommandIds.insertSnippet, {
      label: args => {
        const method = stringArg(args, 'method');
        return method ? `Insert Pretext Snippet: ${method}` : 'Insert Pretext Snippet';
      },
      caption: "Inserts the method's ready-to-run cell below the active cell",
      execute: (args): IInsertResult => {
        const name = stringArg(args, 'method');
        const method = name === undefined ? undefined : findMethod(CATALOG, name);
        let result: IInsertResult;
        if (method === undefined) {
          const known = CATALOG.methods.map(m => m.name).join(', ');
          result = {
            inserted: false,
            message:
              name === undefined
                ? `Name a method to insert (one of ${known}), or pick one in the Pretext panel.`
                : `No method '${name}' in the catalog. Methods: ${known}.`
          };
        } else {
          try {
            result = insertSnippet(tracker, method, {
              epochs: settings?.defaultEpochs ?? DEFAULT_SETTINGS.defaultEpochs,
              batchSize: settings?.defaultBatchSize ?? DEFAULT_SETTINGS.defaultBatchSize
            });
          } catch (error) {
            result = { inserted: false, message: (error as Error).message };
          }
        }
        // The panel shows the result in place; callers without a view get a notification.
        if (!args.quiet) {
          if (result.inserted) {
            Notification.success(result.message, { autoClose: 3000 });
          } else {
            Notification.warning(result.message, { autoClose: 6000 });
          }
        }
        return result;
      }
    });

    commands.addCommand(CommandIds.refreshRuns, {
      label: 'Refresh Pretext Runs',
      caption: 'Re-reads the run store',
      isEnabled: () => runs !== null,
      execute: () => runs?.refresh()
    });

    if (launcher !== null) {
      CATALOG.templates.forEach((template, rank) => {
        launcher.add({
          command: CommandIds.newNotebook,
          args: { template: template.id, isLauncher: true },
          category: LAUNCHER_CATEGORY,
          rank
        });
      });
    }

    if (palette !== null) {
      const category = PALETTE_CATEGORY;
      palette.addItem({ command: CommandIds.newNotebook, category, args: { isPalette: true } });
      for (const template of CATALOG.templates) {
        palette.addItem({
          command: CommandIds.newNotebook,
          category,
          args: { template: template.id, isPalette: true }
        });
      }
      for (const method of CATALOG.methods) {
        palette.addItem({
          command: CommandIds.insertSnippet,
          category,
          args: { method: method.name }
        });
      }
      palette.addItem({ command: CommandIds.openPanel, category });
      palette.addItem({ command: CommandIds.refreshRuns, category });
    }
  }
};
