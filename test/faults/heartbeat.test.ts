/**
 * A run whose main thread is busy for longer than the staleness window (a long monitor, a long
 * synchronous TF op) must still read as running from another host: a worker thread keeps its
 * heartbeat fresh. A killed process must still read as interrupted, on its host at once and
 * from elsewhere once the heartbeat goes stale. The window is shortened here (a reader's
 * staleMs, the worker's PRETEXT_HEARTBEAT_MS), the logic is the one used with 10 minutes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { deadRunReason } from '../../kernel/src/runs/liveness';
import { openRunStore, type RunSummary } from '../../kernel/src/runs/store';

const CHILD = path.join(__dirname, 'busy-child.ts');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-faults-heartbeat-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
/** The staleness window other hosts use here, the main thread's block, the worker's interval. */
const STALE_MS = 1500;
const BLOCK_MS = 4000;
const BEAT_MS = '200';

/** Starts a busy child; resolves once its main thread is blocked. */
function startBusy(store: string, beatMs: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, store, String(BLOCK_MS)], {
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', PRETEXT_HEARTBEAT_MS: beatMs }
  });
  let out = '';
  const exited = new Promise<string>(resolve => child.on('close', () => resolve(out)));
  const blocked = new Promise<number>((resolve, reject) => {
    child.stdout.on('data', chunk => {
      out += String(chunk);
      if (out.includes('blocking\n')) {
        resolve(Date.now());
      }
    });
    child.on('close', () => reject(new Error(`the child never blocked: ${out}`)));
  });
  return { child, blocked, exited };
}

function summaryIn(store: string): { id: string; summary: RunSummary } {
  const [id] = fs.readdirSync(store).filter(n => !n.startsWith('.'));
  return {
    id,
    summary: JSON.parse(fs.readFileSync(path.join(store, id, 'summary.json'), 'utf8')) as RunSummary
  };
}

/** How a reader on another host sees the run now. */
const fromElsewhere = (summary: RunSummary) =>
  deadRunReason(summary, Date.now(), { host: 'another-host', staleMs: STALE_MS });

test('a main thread blocked past the staleness window: still running from another host, then done', async () => {
  const store = path.join(root, 'busy');
  const { blocked, exited } = startBusy(store, BEAT_MS);
  const since = await blocked;
  await sleep(STALE_MS + 1000);
  const { summary } = summaryIn(store);
  assert.equal(summary.status, 'running');
  assert.ok(Date.parse(summary.heartbeat!) > since, 'beaten while the main thread was blocked');
  assert.equal(fromElsewhere(summary), undefined, 'another host sees a live run');
  const out = await exited;
  assert.match(out, /"status":"done"/);
  // The worker was stopped before the final write: no late beat turned 'done' back to 'running'.
  await sleep(500);
  assert.equal(summaryIn(store).summary.status, 'done');
  assert.deepEqual(
    fs.readdirSync(store, { recursive: true, encoding: 'utf8' }).filter(f => /\.tmp/.test(f)),
    []
  );
});

test('a kill -9 mid-block reads as interrupted: on its host at once, elsewhere once the beat is stale', async () => {
  const store = path.join(root, 'killed');
  const { child, blocked, exited } = startBusy(store, BEAT_MS);
  await blocked;
  await sleep(500);
  assert.ok(child.kill('SIGKILL'));
  await exited;
  const { id, summary } = summaryIn(store);
  const [listed] = openRunStore(store).list();
  assert.equal(listed.id, id);
  assert.equal(listed.status, 'interrupted');
  assert.match(listed.message!, /Interrupted: its process \(pid \d+ on .*\) is gone/);
  // The worker died with its process: the heartbeat stops, and goes stale for other hosts.
  await sleep(STALE_MS + 500);
  assert.equal(summaryIn(store).summary.heartbeat, summary.heartbeat, 'no beat after the kill');
  assert.match(String(fromElsewhere(summary)), /last heartbeat was/);
});
