/**
 * A heartbeat that keeps beating while the main thread is busy. The run recorder refreshes
 * summary.json's heartbeat between steps; a monitor or a long synchronous TF op that holds the
 * main thread for longer than STALE_HEARTBEAT_MS would make a live run read as interrupted on
 * other hosts. This worker thread refreshes only the heartbeat field, and only when the main
 * thread has not for a whole interval, so in normal training it never writes at all.
 *
 * The worker is unref'd (it never keeps the process alive) and dies with the process, so a
 * killed run still goes stale. stop() waits out a write in progress and bars any later one, so
 * the final summary the recorder writes after it can never be overwritten by a late beat.
 */
import { Worker } from 'node:worker_threads';

/** How often the worker looks, and how old the heartbeat must be before it rewrites it. */
export const WORKER_HEARTBEAT_MS = 30_000;

/** The interval in use: PRETEXT_HEARTBEAT_MS (milliseconds; tests shorten it), else the default. */
export function heartbeatInterval(): number {
  const value = Number(process.env.PRETEXT_HEARTBEAT_MS);
  return Number.isFinite(value) && value >= 10 ? value : WORKER_HEARTBEAT_MS;
}

/** Indices into the shared state: a stop flag, and a lock held during each write. */
const STOP = 0;
const BUSY = 1;

// Plain JavaScript, run as the worker's source: no module resolution, works from src and lib.
const WORKER_SOURCE = `
const fs = require('node:fs');
const path = require('node:path');
const { workerData } = require('node:worker_threads');
const { file, intervalMs, state } = workerData;
const tick = () => {
  if (Atomics.compareExchange(state, ${BUSY}, 0, 1) !== 0) return;
  const temp = path.join(path.dirname(file), '.summary.json.' + process.pid + '-beat.tmp');
  try {
    if (Atomics.load(state, ${STOP}) === 1) return clearInterval(timer);
    const summary = JSON.parse(fs.readFileSync(file, 'utf8'));
    // Only this process's own live run; a resumed run's old summary waits for the recorder.
    if (summary.status !== 'running' || summary.pid !== process.pid) return;
    if (Date.now() - Date.parse(summary.heartbeat) < intervalMs) return;
    summary.heartbeat = new Date().toISOString();
    fs.writeFileSync(temp, JSON.stringify(summary, null, 2) + '\\n');
    fs.renameSync(temp, file);
  } catch {
    // Not written yet, mid-rename or a full disk: try again at the next tick, leave no temp file.
    try { fs.rmSync(temp, { force: true }); } catch {}
  } finally {
    Atomics.store(state, ${BUSY}, 0);
    Atomics.notify(state, ${BUSY});
  }
};
const timer = setInterval(tick, intervalMs);
`;

export interface Heartbeat {
  /** Stops the worker; returns once no beat can be written any more. Idempotent. */
  stop(): void;
}

/** Starts the worker that keeps `summaryFile`'s heartbeat fresh while this process lives. */
export function startHeartbeat(summaryFile: string, intervalMs = heartbeatInterval()): Heartbeat {
  const state = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file: summaryFile, intervalMs, state },
    // Plain JS: none of the parent's loaders (tsx) or flags are needed.
    execArgv: []
  });
  // A worker that failed to start must not crash training; the recorder still beats between steps.
  worker.on('error', () => undefined);
  worker.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) {
        return;
      }
      stopped = true;
      Atomics.store(state, STOP, 1);
      // Take the lock for good: waits out a write in progress, then no other can start.
      while (Atomics.compareExchange(state, BUSY, 0, 1) !== 0) {
        Atomics.wait(state, BUSY, 1, 20);
      }
      void worker.terminate();
    }
  };
}
