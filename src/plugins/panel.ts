/**
 * `jupyterlab-pretext:panel`: adds the Pretext side panel to the left area.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { CATALOG } from '../catalog/data';
import { ChartThemeTracker } from '../chart-theme';
import { PretextPanel } from '../panel/panel';
import { IPretextRunStore, IPretextSettings } from '../tokens';

export const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jupyterlab-pretext:panel',
  description: 'The Pretext side panel: method catalog, runs browser and guide.',
  autoStart: true,
  requires: [IPretextRunStore],
  optional: [IPretextSettings, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    runs: IPretextRunStore,
    settings: IPretextSettings | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const panel = new PretextPanel({
      catalog: CATALOG,
      runs,
      commands: app.commands,
      // Lives as long as the panel (the page): charts follow the theme setting.
      theme: new ChartThemeTracker(settings)
    });
    // Below the file browser and the running-kernels tab, above the extension manager.
    app.shell.add(panel, 'left', { rank: 450 });
    restorer?.add(panel, 'jupyterlab-pretext:panel');
  }
};
