// A throwaway MLflow tracking server, for the tests and for notebooks that need one
// (scripts/run-notebooks.mjs): `mlflow server` from the project's .venv on 127.0.0.1, a free
// port, SQLite and an artifact folder under `dir`. stop() ends it (and its uvicorn workers);
// restart() brings it back on the same port with the same data. With `auth`, it runs MLflow's
// basic-auth app (admin + a random password; others may only read).
/* global fetch, AbortSignal */ // Node 20 has both.
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { VENV_BIN } from './setup/util.mjs';

export const MLFLOW_BIN = path.join(VENV_BIN, 'mlflow');

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

const readLog = file => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

async function waitHealthy(uri, child, logFile) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`mlflow server exited: ${readLog(logFile).slice(-2000)}`);
    }
    try {
      const response = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise(r => setTimeout(r, 300));
  }
  throw new Error(`mlflow server did not become healthy: ${readLog(logFile).slice(-2000)}`);
}

/**
 * Starts the server and resolves once /health answers.
 * @param {string} dir folder for mlflow.db, artifacts/ and mlflow.log (it must exist)
 * @param {{ auth?: boolean }} [options]
 * @returns {Promise<{ uri: string, port: number, dir: string,
 *   admin?: { username: string, password: string }, log: () => string,
 *   stop: () => Promise<void>, restart: () => Promise<void> }>}
 */
export async function startMlflow(dir, options = {}) {
  if (!fs.existsSync(MLFLOW_BIN)) {
    throw new Error(`${MLFLOW_BIN} is missing: run npm run setup (it installs mlflow into .venv).`);
  }
  const port = await freePort();
  const admin = options.auth
    ? { username: 'admin', password: randomBytes(12).toString('hex') }
    : undefined;
  const authConfig = path.join(dir, 'basic_auth.ini');
  if (admin) {
    fs.writeFileSync(
      authConfig,
      [
        '[mlflow]',
        'default_permission = READ',
        `database_uri = sqlite:///${path.join(dir, 'auth.db')}`,
        `admin_username = ${admin.username}`,
        `admin_password = ${admin.password}`,
        'authorization_function = mlflow.server.auth:authenticate_request_basic_auth',
        // Password hashing on every request would slow the tests down a lot.
        'auth_cache_ttl_seconds = 60',
        ''
      ].join('\n')
    );
  }
  const uri = `http://127.0.0.1:${port}`;
  const logFile = path.join(dir, 'mlflow.log');
  let child;
  const launch = async () => {
    const out = fs.openSync(logFile, 'a');
    child = spawn(
      MLFLOW_BIN,
      [
        'server',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--workers',
        '1',
        '--backend-store-uri',
        `sqlite:///${path.join(dir, 'mlflow.db')}`,
        '--artifacts-destination',
        path.join(dir, 'artifacts'),
        ...(admin ? ['--app-name', 'basic-auth'] : [])
      ],
      // Its own process group, so stop() ends the server's workers with it.
      {
        detached: true,
        stdio: ['ignore', out, out],
        env: {
          ...process.env,
          MLFLOW_TRACKING_URI: '',
          ...(admin
            ? {
                MLFLOW_AUTH_CONFIG_PATH: authConfig,
                // The auth app's CSRF protection needs a fixed key (kept across restarts).
                MLFLOW_FLASK_SERVER_SECRET_KEY: admin.password
              }
            : {})
        }
      }
    );
    fs.closeSync(out);
    try {
      await waitHealthy(uri, child, logFile);
    } catch (error) {
      // A server that never became healthy must not outlive the caller.
      if (child.exitCode === null) {
        process.kill(-child.pid, 'SIGKILL');
      }
      throw error;
    }
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.pid === undefined) {
      return;
    }
    const exited = new Promise(resolve => running.once('exit', () => resolve()));
    try {
      process.kill(-running.pid, 'SIGKILL');
    } catch (error) {
      // A second stop() while the first is still waiting: the group is already gone.
      if (error.code !== 'ESRCH') {
        throw error;
      }
    }
    await exited;
    // Until the port is free again, a restart would fail to bind.
    for (let i = 0; i < 50; i++) {
      try {
        await fetch(`${uri}/health`, { signal: AbortSignal.timeout(500) });
        await new Promise(r => setTimeout(r, 100));
      } catch {
        return;
      }
    }
  };
  await launch();
  return {
    uri,
    port,
    dir,
    ...(admin ? { admin } : {}),
    log: () => readLog(logFile),
    stop,
    restart: launch
  };
}
