/**
 * A real MLflow tracking server for tests: `mlflow server` from the project's .venv on
 * 127.0.0.1, a free port, SQLite and an artifact folder under `dir`; stop() ends it (and its
 * uvicorn workers) and restart() brings it back on the same port with the same data. With
 * `auth`, it runs MLflow's basic-auth app (admin + a random password; others may only read).
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const MLFLOW_BIN = path.resolve(__dirname, '..', '..', '..', '.venv', 'bin', 'mlflow');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

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

async function waitHealthy(uri: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`mlflow server exited: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    }
    try {
      const response = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise(r => setTimeout(r, 300));
  }
  throw new Error(`mlflow server did not become healthy: ${fs.readFileSync(logFile, 'utf8')}`);
}

export async function startMlflow(
  dir: string,
  options: { auth?: boolean } = {}
): Promise<MlflowServer> {
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
  let child: ChildProcess | undefined;
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
    await waitHealthy(uri, child, logFile);
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.pid === undefined) return;
    const exited = new Promise<void>(resolve => running.once('exit', () => resolve()));
    process.kill(-running.pid, 'SIGKILL');
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
    log: () => fs.readFileSync(logFile, 'utf8'),
    stop,
    restart: launch
  };
}
