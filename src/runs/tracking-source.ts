/**
 * The tracking server's side of the run store: its runs and loss histories read through the
 * Pretext server extension (src/runs/tracking-client.ts), the last reply kept for the merge,
 * and the quiet line about the server. Asks only once when the server extension is missing.
 * No widgets here; the run store model (src/runs/model.ts) polls it.
 */
import { ITrackingState, extensionMissingState, trackingState } from './mlflow';
import { IMetricsResult, ITrackedCopy } from './parse';
import { messageOf, statusOf } from './request-errors';
import { ITrackingReply, historyToMetrics, parseTrackingReply } from './tracking-reply';

/**
 * What the model needs of the Pretext server extension (src/runs/tracking-client.ts); the
 * replies are untrusted JSON. Failures reject with the HTTP status in `error.response.status`.
 */
export interface ITrackingReader {
  /** GET /pretext/api/tracking/runs. */
  runs(): Promise<unknown>;
  /** GET /pretext/api/tracking/runs/<mlflowRunId>/metrics?key=<key>. */
  metrics(mlflowRunId: string, key: string): Promise<unknown>;
}

export class TrackingSource {
  constructor(reader: ITrackingReader) {
    this._reader = reader;
  }

  /** The last reply, or null when the server extension could not be asked. */
  get reply(): ITrackingReply | null {
    return this._reply;
  }

  /** The quiet line; null before the first read. */
  get state(): ITrackingState | null {
    return this._state;
  }

  /** Re-reads the server's runs. Never rejects: failures land in `state`. */
  async load(): Promise<void> {
    if (this._extensionMissing) {
      return;
    }
    try {
      this._reply = parseTrackingReply(await this._reader.runs());
      this._state = trackingState(this._reply);
    } catch (error) {
      const status = statusOf(error);
      // Without the server extension every poll would log a failed request: ask once.
      this._extensionMissing = status === 404;
      this._reply = null;
      this._state = extensionMissingState(status, messageOf(error));
    }
  }

  /** The loss history of a run that is only on the server. */
  async metrics(copy: ITrackedCopy): Promise<IMetricsResult> {
    try {
      return historyToMetrics(await this._reader.metrics(copy.mlflowRunId, 'loss'), 'loss');
    } catch (error) {
      throw new Error(
        `The loss history of MLflow run ${copy.mlflowRunId} could not be read from ${copy.host}: ${messageOf(error)}`
      );
    }
  }

  private _reader: ITrackingReader;
  private _reply: ITrackingReply | null = null;
  private _state: ITrackingState | null = null;
  private _extensionMissing = false;
}
