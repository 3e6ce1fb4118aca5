/**
 * What a notebook run by `pretext sweep` leaves for the sweep report. The sweep starts each
 * kernel with PRETEXT_SWEEP_RECORD=<file>; from then on every run the session trains is
 * linked to its folder in the run store, and the file is rewritten (atomically) after every
 * event, so even a notebook that fails half-way leaves what it did. Outside a sweep nothing
 * is written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { session, type RunEvent } from '../guide/session';
import { writeJsonAtomic } from '../runs/files';
import { PretextError } from '../util/errors';
import { currentParams } from '../util/params';
import { readRunFiles, runIds, runStoreRoot } from './run-files';

export interface RecordedRun {
  runId: string | null;
  method: string;
  status: string;
  steps: number;
  lastLoss: number | null;
  knn: number | null;
}

export interface SweepRecord {
  params: Record<string, unknown> | null;
  runStore: string;
  runs: RecordedRun[];
  /** Best test accuracy of each px.evaluate call (any encoder in it). */
  evaluations: number[];
  /** What the notebook reported with px.recordResult. */
  results: Record<string, number | string | null>;
  updated: string;
}

const results: Record<string, number | string | null> = {};
const linked: RecordedRun[] = [];
const claimed = new Set<string>();
let started: string | undefined;
let subscribed = false;

/**
 * The run folder this session's run event came from: created since the record started, not
 * yet claimed, same method and step count, and the same last-step loss (exact: both come
 * from the same number through JSON), which tells apart runs of parallel workers sharing
 * one store.
 */
function findRunId(event: RunEvent, root: string): string | null {
  const candidates = runIds(root)
    .filter(id => !claimed.has(id))
    .map(id => readRunFiles(root, id))
    .filter(
      run =>
        run !== undefined &&
        run.created >= (started ?? '') &&
        run.method === event.method &&
        run.steps === event.steps &&
        (!Number.isFinite(event.lastLoss) || run.lastLoss === event.lastLoss)
    );
  const id = candidates.at(-1)?.id ?? null;
  if (id) {
    claimed.add(id);
  }
  return id;
}

function write(): void {
  const file = process.env.PRETEXT_SWEEP_RECORD;
  if (!file) {
    return;
  }
  const root = runStoreRoot();
  const log = session.snapshot();
  // Link each run event once, in the order the session trained them.
  for (const event of log.runs.slice(linked.length)) {
    linked.push({
      runId: findRunId(event, root),
      method: event.method,
      status: event.status,
      steps: event.steps,
      lastLoss: Number.isFinite(event.lastLoss) ? event.lastLoss : null,
      knn: event.knnHistory?.at(-1) ?? null
    });
  }
  const record: SweepRecord = {
    params: currentParams() ?? null,
    runStore: root,
    runs: linked,
    evaluations: log.evaluations.map(e => e.bestAccuracy),
    results,
    updated: new Date().toISOString()
  };
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeJsonAtomic(path.resolve(file), record);
}

/** Starts recording when this kernel was started by a sweep (idempotent). */
export function startRecording(): void {
  if (subscribed || !process.env.PRETEXT_SWEEP_RECORD) {
    return;
  }
  subscribed = true;
  // One second earlier: run ids and `created` resolve to the clock, not to this call.
  started = new Date(Date.now() - 1000).toISOString();
  session.subscribe(write);
  write();
}

/**
 * Reports values for the sweep report, e.g. `px.recordResult({ probe: report.accuracy('SimCLR',
 * 'linearProbe') })`: each name becomes a column. Outside a sweep it only checks the values.
 */
export function recordResult(values: Record<string, number | string | null>): void {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new PretextError(
      `recordResult() takes an object of named values, got ${JSON.stringify(values)}.`,
      "Pass e.g. px.recordResult({ probe: 0.91, note: 'strong crop' })."
    );
  }
  for (const [name, value] of Object.entries(values)) {
    if (value !== null && typeof value !== 'number' && typeof value !== 'string') {
      throw new PretextError(
        `recordResult() got ${typeof value} for '${name}'.`,
        'Pass numbers, strings or null (one column each in the sweep report).'
      );
    }
    results[name] = typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }
  startRecording();
  write();
}

// The library is imported at the top of every notebook, before any training: start there.
startRecording();
