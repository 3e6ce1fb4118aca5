/**
 * The Pretext server extension's tracking API (jupyterlab_pretext/server), called with
 * Jupyter's own authentication (token, XSRF) through ServerConnection. It never sends a
 * tracking URI: the server reads the tracking server from its environment or the user's
 * settings file, so the browser cannot point it anywhere else.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { ITrackingReader } from './model';

const API = 'pretext/api/tracking';

export class TrackingClient implements ITrackingReader {
  constructor(settings: ServerConnection.ISettings = ServerConnection.makeSettings()) {
    this._settings = settings;
  }

  runs(): Promise<unknown> {
    return this._get(URLExt.join(API, 'runs'));
  }

  metrics(mlflowRunId: string, key: string): Promise<unknown> {
    const path = URLExt.join(API, 'runs', encodeURIComponent(mlflowRunId), 'metrics');
    return this._get(`${path}${URLExt.objectToQueryString({ key })}`);
  }

  private async _get(path: string): Promise<unknown> {
    const url = URLExt.join(this._settings.baseUrl, path);
    const response = await ServerConnection.makeRequest(url, {}, this._settings);
    if (!response.ok) {
      // Carries response.status, which the model reads (404: no server extension).
      throw await ServerConnection.ResponseError.create(response);
    }
    return response.json();
  }

  private _settings: ServerConnection.ISettings;
}
