/**
 * `pretext sweep --ray` against a real Ray head started here (127.0.0.1, free ports, its own
 * temp dir): two configurations become two Ray jobs through the Jobs REST API; the one set to
 * fail is marked failed with its log tail, the other's numbers come from the shared run store.
 * An unreachable address is a clear error.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PRETEXT_BIN, VENV_BIN, writeTrainingNotebook } from './sweep-fixture';

const RAY = join(VENV_BIN, 'ray');
let dir: string;
let rayTemp: string;
let dashboard: string;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', PRETEXT_RUNS: '', PRETEXT_SWEEPS: '' };

/** `ray start --head` on free 127.0.0.1 ports with its own temp dir; returns the dashboard URL. */
async function startRay(): Promise<{ ok: boolean; output: string; url: string }> {
  const [port, dashboardPort, clientPort] = [await freePort(), await freePort(), await freePort()];
  const started = spawnSync(
    RAY,
    [
      'start',
      '--head',
      // Every Ray process on loopback: by default the head advertises the machine's own address.
      '--node-ip-address',
      '127.0.0.1',
      '--port',
      String(port),
      '--dashboard-port',
      String(dashboardPort),
      '--dashboard-host',
      '127.0.0.1',
      '--include-dashboard',
      'true',
      '--ray-client-server-port',
      String(clientPort),
      '--num-cpus',
      '2',
      '--temp-dir',
      rayTemp,
      '--disable-usage-stats'
    ],
    { encoding: 'utf8', env: { ...env, RAY_USAGE_STATS_ENABLED: '0' }, timeout: 240_000 }
  );
  return {
    ok: started.status === 0,
    output: `${started.stdout}\n${started.stderr}`,
    url: `http://127.0.0.1:${dashboardPort}`
  };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pretext-ray-'));
  // Short: Ray's unix socket paths live under its temp dir and must stay under 107 bytes.
  rayTemp = mkdtempSync('/tmp/ray-');
  // On a heavily loaded machine the raylet gives up when the dashboard agent is slow to write
  // its port file (a fixed wait inside Ray): try again, as the next start finds warm caches.
  let attempt = await startRay();
  for (let i = 1; i < 3 && !attempt.ok; i++) {
    spawnSync(RAY, ['stop', '--force'], { encoding: 'utf8', env, timeout: 120_000 });
    attempt = await startRay();
  }
  assert.ok(attempt.ok, `ray start failed:\n${attempt.output}`);
  dashboard = attempt.url;
  // The dashboard's HTTP server comes up shortly after `ray start` returns.
  for (let i = 0; i < 60; i++) {
    const ok = await fetch(`${dashboard}/api/version`)
      .then(r => r.ok)
      .catch(() => false);
    if (ok) {
      break;
    }
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
});

after(() => {
  spawnSync(RAY, ['stop', '--force'], { encoding: 'utf8', env, timeout: 120_000 });
  rmSync(dir, { recursive: true, force: true });
  rmSync(rayTemp, { recursive: true, force: true });
});

test('a 2-configuration sweep as Ray jobs: one done from the shared store, one failed with its log', () => {
  const notebook = writeTrainingNotebook(dir);
  writeFileSync(
    join(dir, 'grid.json'),
    JSON.stringify({ configs: [{ temperature: 0.2 }, { temperature: 0.5, fail: true }] })
  );
  const result = spawnSync(
    process.execPath,
    [PRETEXT_BIN, 'sweep', notebook, '--grid', 'grid.json', '--id', 'r1', '--ray', dashboard],
    { cwd: dir, env, encoding: 'utf8', timeout: 600_000 }
  );
  // Exit 1: the sweep finished but one configuration failed.
  assert.equal(result.status, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /2 configurations of tiny-train\.ipynb on Ray at http/);
  assert.match(result.stdout, /c001 temperature=0\.2: done in/);
  assert.match(
    result.stdout,
    /c002 temperature=0\.5 fail=true: failed in[\s\S]*end of its log:[\s\S]*set to fail/
  );

  const report = JSON.parse(readFileSync(join(dir, 'sweeps', 'r1', 'report.json'), 'utf8')) as {
    rows: { config: string; status: string; runIds: string[]; finalLoss: number | null }[];
  };
  const [done, failed] = report.rows;
  assert.equal(done.status, 'done');
  assert.equal(failed.status, 'failed');
  // Both trained before the failing cell: each links its own run in the one shared store.
  assert.equal(new Set([...done.runIds, ...failed.runIds]).size, 2);
  const summary = JSON.parse(
    readFileSync(join(dir, 'runs', done.runIds[0], 'summary.json'), 'utf8')
  ) as { finalLoss: number };
  assert.equal(done.finalLoss, summary.finalLoss);
  const stored = JSON.parse(
    readFileSync(join(dir, 'sweeps', 'r1', 'configs', 'c002', 'result.json'), 'utf8')
  ) as { rayJob: string; logTail: string };
  assert.match(stored.rayJob, /^pretext-r1-c002-/);
  assert.match(stored.logTail, /set to fail/);
  assert.match(readFileSync(join(dir, 'sweeps', 'r1', 'report.md'), 'utf8'), /on Ray \(http/);
});

test('Ctrl-C stops the running Ray job and marks its row stopped', async () => {
  const notebook = writeTrainingNotebook(dir, 'stop.ipynb');
  const child = spawn(
    process.execPath,
    [PRETEXT_BIN, 'sweep', notebook, '-p', 'epochs=50', '--id', 'r2', '--ray', dashboard],
    { cwd: dir, env }
  );
  let output = '';
  child.stdout.on('data', chunk => (output += String(chunk)));
  child.stderr.on('data', chunk => (output += String(chunk)));
  const exited = new Promise<number | null>(resolve => child.on('exit', resolve));
  // Interrupt once Ray reports the job running.
  let jobId: string | undefined;
  for (let i = 0; i < 240 && !jobId; i++) {
    await new Promise(resolve => setTimeout(resolve, 1000));
    const jobs = (await fetch(`${dashboard}/api/jobs/`).then(r => r.json())) as {
      submission_id: string;
      status: string;
    }[];
    jobId = jobs.find(
      j => j.submission_id.startsWith('pretext-r2-c001') && j.status === 'RUNNING'
    )?.submission_id;
  }
  assert.ok(jobId, `the job never ran:\n${output}`);
  child.kill('SIGINT');
  assert.equal(await exited, 130, output);
  const job = (await fetch(`${dashboard}/api/jobs/${jobId}`).then(r => r.json())) as {
    status: string;
  };
  assert.equal(job.status, 'STOPPED');
  const result = JSON.parse(
    readFileSync(join(dir, 'sweeps', 'r2', 'configs', 'c001', 'result.json'), 'utf8')
  ) as { status: string };
  assert.equal(result.status, 'stopped');
  assert.match(output, /stopped: 0 of 1 done\. Resume with --resume --id r2/);
});

test('an unreachable Ray address is a clear error', async () => {
  const notebook = writeTrainingNotebook(dir, 'other.ipynb');
  const port = await freePort();
  const result = spawnSync(
    process.execPath,
    [PRETEXT_BIN, 'sweep', notebook, '-p', 'temperature=0.1', '--ray', `http://127.0.0.1:${port}`],
    { cwd: dir, env, encoding: 'utf8', timeout: 60_000 }
  );
  assert.equal(result.status, 2);
  assert.match(
    result.stderr,
    /Cannot reach the Ray dashboard at http:\/\/127\.0\.0\.1:\d+[\s\S]*Fix: Start Ray/
  );
});
