/**
 * A real MLflow tracking server for tests (scripts/mlflow-server.mjs, shared with the notebook
 * runner): `mlflow server` from the project's .venv on 127.0.0.1, a free port, SQLite and an
 * artifact folder under `dir`; stop() ends it (and its uvicorn workers) and restart() brings it
 * back on the same port with the same data. With `auth`, it runs MLflow's basic-auth app
 * (admin + a random password; others may only read).
 */

export interface MlflowServer {
  uri: string;
  /** The admin account, when started with auth. */
  admin?: { username: string; password: string };
  port: number;
  dir: string;
  log: () => string;
  stop(): Promise<void>;
  restart(): Promise<void>;
}

// An ES module; this file compiles to CommonJS, so it is loaded with import().
const shared = () => import('../../../scripts/mlflow-server.mjs');

export async function freePort(): Promise<number> {
  return (await shared()).freePort() as Promise<number>;
}

export async function startMlflow(
  dir: string,
  options: { auth?: boolean } = {}
): Promise<MlflowServer> {
  return (await shared()).startMlflow(dir, options);
}
