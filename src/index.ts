/**
 * Entry point of the jupyterlab-pretext extension: the default export is the
 * list of plugins JupyterLab activates, one per concern: settings, renderers,
 * the run store (IPretextRunStore), the side panel, and commands with launcher cards.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { commandsPlugin } from './plugins/commands';
import { panelPlugin } from './plugins/panel';
import { renderersPlugin } from './plugins/renderers';
import { runsPlugin } from './plugins/runs';
import { settingsPlugin } from './plugins/settings';

export * from './mime';
export * from './tokens';
export { createRendererExtensions } from './renderers';

export { CommandIds, PANEL_ID } from './commands/ids';

const plugins: JupyterFrontEndPlugin<unknown>[] = [
  settingsPlugin,
  renderersPlugin,
  runsPlugin,
  panelPlugin,
  commandsPlugin
];

export default plugins;
