/**
 * `jupyterlab-pretext:renderers`: registers the Pretext MIME renderers.
 *
 * They are registered from a plugin (rather than a package.json
 * `mimeExtension`) so that they can follow the chart theme setting.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';

import { ChartThemeTracker } from '../chart-theme';
import { createRendererExtensions } from '../renderers';
import { IPretextSettings } from '../tokens';

export const renderersPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-pretext:renderers',
  description: 'Renders Pretext outputs: charts, the live training dashboard and tables.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [IPretextSettings],
  activate: (
    _app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    settings: IPretextSettings | null
  ): void => {
    // Lives as long as the page: open charts redraw when the theme changes.
    const theme = new ChartThemeTracker(settings);
    for (const extension of createRendererExtensions(theme)) {
      rendermime.addFactory(extension.rendererFactory, extension.rank);
    }
  }
};
