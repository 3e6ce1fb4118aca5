/**
 * `jupyterlab-pretext:runs`: provides IPretextRunStore, the run store read through the
 * server's contents API under the "Run store root" setting.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { RunStoreModel } from '../runs/model';
import { DEFAULT_SETTINGS } from '../settings-values';
import { IPretextRunStore, IPretextSettings } from '../tokens';

export const runsPlugin: JupyterFrontEndPlugin<IPretextRunStore> = {
  id: 'jupyterlab-pretext:runs',
  description: 'Lists the runs of the Pretext run store (settings: runStoreRoot).',
  autoStart: true,
  optional: [IPretextSettings],
  provides: IPretextRunStore,
  activate: (app: JupyterFrontEnd, settings: IPretextSettings | null): IPretextRunStore => {
    const store = new RunStoreModel(
      app.serviceManager.contents,
      settings?.runStoreRoot ?? DEFAULT_SETTINGS.runStoreRoot
    );
    if (settings !== null) {
      // setRoot refreshes when the root changed; the first read waits for the stored value.
      void settings.ready.then(() => {
        store.setRoot(settings.runStoreRoot);
        void store.refresh();
      });
      settings.changed.connect(() => store.setRoot(settings.runStoreRoot));
    } else {
      void store.refresh();
    }
    return store;
  }
};
