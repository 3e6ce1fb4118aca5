/**
 * Entry point of the jupyterlab-pretext extension: the default export is the
 * list of plugins JupyterLab activates. The side panel, launcher and command
 * plugins will join this list, depending on IPretextSettings.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { renderersPlugin } from './plugins/renderers';
import { settingsPlugin } from './plugins/settings';

export * from './mime';
export * from './tokens';
export { createRendererExtensions } from './renderers';

const plugins: JupyterFrontEndPlugin<unknown>[] = [settingsPlugin, renderersPlugin];

export default plugins;
