/**
 * A small client of MLflow's REST API (Node 20 fetch): experiments, runs, batched logging,
 * search, metric history, artifacts through the server's mlflow-artifacts proxy, and the model
 * registry with aliases. The npm `mlflow` package is stale and cannot upload artifacts.
 *
 * Each part of the API is one layer in its own file (mlflow-http, -runs, -artifacts,
 * -models), so that callers keep a single client object with every call on it.
 */
import { MlflowModels } from './mlflow-models';

/** The whole client: `new MlflowClient(uri, options)`, one object for every call. */
export class MlflowClient extends MlflowModels {}
