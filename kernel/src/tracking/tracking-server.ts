/**
 * Where a notebook's tracking goes, in words a user can act on: trackingServer() checks that
 * the configured MLflow server answers (with the exact command to start one when it does
 * not), and trackedRun() says where a local run is on that server (its MLflow UI page).
 */
import { openRunStore } from '../runs/store';
import { checkOptionNames, PretextError } from '../util/errors';
import { MlflowClient } from './mlflow-client';
import { MlflowApiError, redactUri } from './mlflow-http';
import { readTracking } from './run-upload';
import {
  MLFLOW_SERVER_COMMAND,
  resolveTracking,
  TRACKING_FIX,
  type TrackingSource
} from './tracking-uri';

export interface TrackingServerInfo {
  /** The server's address, without credentials. */
  uri: string;
  /** Which setting named it: the option, PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI, Settings. */
  source: TrackingSource;
  /** The JupyterLab settings file, when the URI came from it. */
  settingsFile?: string;
}

/** The `mlflow server` command for a local address (its host and port), else the default one. */
function startCommand(uri: string): string {
  try {
    const url = new URL(uri);
    if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
      return MLFLOW_SERVER_COMMAND;
    }
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    return MLFLOW_SERVER_COMMAND.replace('--port 5000', `--port ${port}`).replace(
      '--host 127.0.0.1',
      `--host ${url.hostname}`
    );
  } catch {
    return MLFLOW_SERVER_COMMAND;
  }
}

/**
 * The configured tracking server, once it has answered (and accepted the credentials, if it
 * asks for them). Throws a PretextError saying how to configure or start one otherwise.
 */
export async function trackingServer(
  options: { tracking?: string; timeoutMs?: number } = {}
): Promise<TrackingServerInfo> {
  checkOptionNames('trackingServer', options, ['tracking', 'timeoutMs']);
  const resolved = resolveTracking(options.tracking);
  if (!resolved) {
    throw new PretextError(
      'No MLflow tracking server is configured for this kernel (no tracking option, PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI or JupyterLab setting).',
      `${TRACKING_FIX[0].toUpperCase()}${TRACKING_FIX.slice(1)}. The setting applies at once; an environment variable needs a kernel started with it.`
    );
  }
  // Generous: a basic-auth server hashes the password on its first request.
  const client = new MlflowClient(resolved.uri, { timeoutMs: options.timeoutMs ?? 20_000 });
  try {
    await client.health();
    // An authenticated call: a wrong password shows here, not halfway through a run.
    await client.experimentByName('Default');
  } catch (error) {
    if (error instanceof MlflowApiError && error.status === 0) {
      const why = /\(([^()]*)\)\.$/.exec(error.problem)?.[1];
      throw new PretextError(
        `The MLflow tracking server at ${client.uri} (from ${resolved.source}) does not answer${why ? ` (${why})` : ''}.`,
        `Start it in a terminal: ${startCommand(resolved.uri)} (or correct the address).`
      );
    }
    throw error;
  }
  return {
    uri: client.uri,
    source: resolved.source,
    ...(resolved.file ? { settingsFile: resolved.file } : {})
  };
}

export interface TrackedRun {
  runId: string;
  trackingUri: string;
  experimentId: string;
  experimentName: string;
  mlflowRunId: string;
  /** The run's page in the MLflow UI. */
  url: string;
  /** Step records of the local run on the server so far, and the local count. */
  recordsUploaded: number;
  records: number;
}

/** Where local run `runId` is on the tracking server, as far as its tracking.json knows. */
export function trackedRun(
  runId: string,
  options: { root?: string; tracking?: string } = {}
): TrackedRun {
  checkOptionNames('trackedRun', options, ['root', 'tracking']);
  const resolved = resolveTracking(options.tracking);
  if (!resolved) {
    throw new PretextError(
      `trackedRun('${runId}') has no tracking server to look on.`,
      `${TRACKING_FIX[0].toUpperCase()}${TRACKING_FIX.slice(1)}.`
    );
  }
  const uri = redactUri(resolved.uri).replace(/\/+$/, '');
  const run = openRunStore(options.root).get(runId);
  const copy = readTracking(run.dir)?.servers[uri];
  if (!copy) {
    throw new PretextError(
      `Run ${runId} is not on the tracking server ${uri} yet.`,
      'Upload it: await px.syncRuns({ runs: [runId] }).'
    );
  }
  return {
    runId,
    trackingUri: uri,
    experimentId: copy.experimentId,
    experimentName: copy.experimentName,
    mlflowRunId: copy.mlflowRunId,
    url: `${uri}/#/experiments/${copy.experimentId}/runs/${copy.mlflowRunId}`,
    recordsUploaded: copy.recordsUploaded,
    records: run.metrics().length
  };
}
