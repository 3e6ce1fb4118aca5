/**
 * `jupyterlab-pretext:runs`: provides IPretextRunStore, the run store read through the
 * server's contents API under the "Run store root" setting, with the tracking server's runs
 * read through the Pretext server extension (which finds the tracking URI itself).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';

import { RunStoreModel } from '../runs/model';
import { TrackingClient } from '../runs/tracking-client';
import { DEFAULT_SETTINGS } from '../settings-values';
import { IPretextRunStore, IPretextSettings } from '../tokens';

export const runsPlugin: JupyterFrontEndPlugin<IPretextRunStore> = {
  id: 'jupyterlab-pretext:runs',
  description:
    'Lists the runs of the Pretext run store and of the MLflow tracking server (settings: runStoreRoot, trackingUri).',
  autoStart: true,
  optional: [IPretextSettings],
  provides: IPretextRunStore,
  activate: (app: JupyterFrontEnd, settings: IPretextSettings | null): IPretextRunStore => {
    const store = new RunStoreModel(
      app.serviceManager.contents,
      settings?.runStoreRoot ?? DEFAULT_SETTINGS.runStoreRoot,
      new TrackingClient(app.serviceManager.serverSettings)
    );
    if (settings !== null) {
      // setRoot refreshes when the root changed; the first read waits for the stored value.
      void settings.ready.then(() => {
        store.setRoot(settings.runStoreRoot);
        void store.refresh();
      });
      let trackingUri = settings.trackingUri;
      settings.changed.connect(() => {
        store.setRoot(settings.runStoreRoot);
        // The server extension reads the new URI from the saved settings file: ask it now
        // rather than at the next poll.
        if (settings.trackingUri !== trackingUri) {
          trackingUri = settings.trackingUri;
          void store.refresh();
        }
      });
    } else {
      void store.refresh();
    }
    return store;
  }
};
