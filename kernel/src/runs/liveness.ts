/**
 * Whether a 'running' run still runs: a reader on the run's host asks whether its pid lives,
 * a reader elsewhere how fresh its heartbeat is; a dead one is shown as 'interrupted'.
 */
import * as os from 'node:os';
import { STALE_HEARTBEAT_MS, type RunSummary } from '../protocol';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How a reader judges a 'running' summary: its own host, and how old a heartbeat may get. */
export interface LivenessView {
  /** The reader's host (default: this one); a run on it is judged by its pid. */
  host?: string;
  /** Milliseconds after which a heartbeat from another host is stale (default: the protocol's). */
  staleMs?: number;
}

/**
 * Why a 'running' summary is no longer true, or undefined while its process may be alive: on
 * this host, whether the pid lives; from another host, whether the heartbeat is fresh (the
 * training process keeps it so even while its main thread is busy: runs/heartbeat.ts).
 */
export function deadRunReason(
  summary: RunSummary,
  now = Date.now(),
  view: LivenessView = {}
): string | undefined {
  if (summary.status !== 'running') {
    return undefined;
  }
  if (summary.host === (view.host ?? os.hostname()) && typeof summary.pid === 'number') {
    if (summary.pid === process.pid || processAlive(summary.pid)) {
      return undefined;
    }
    return `its process (pid ${summary.pid} on ${summary.host}) is gone`;
  }
  const beat = Date.parse(summary.heartbeat ?? summary.updated);
  if (!Number.isFinite(beat) || now - beat <= (view.staleMs ?? STALE_HEARTBEAT_MS)) {
    return undefined;
  }
  const age = now - beat;
  const ago =
    age < 60_000 ? `${Math.round(age / 1000)} seconds` : `${Math.round(age / 60000)} minutes`;
  return `its last heartbeat was ${ago} ago`;
}

/** The summary as a reader should see it: a dead 'running' run becomes 'interrupted'. */
export function trueSummary(
  id: string,
  summary: RunSummary | undefined,
  checkpointStep: number | undefined
): RunSummary | undefined {
  const reason = summary && deadRunReason(summary);
  if (!summary || !reason) {
    return summary;
  }
  const resume =
    checkpointStep !== undefined
      ? `its last checkpoint is step ${checkpointStep}; resume with train(task, data, { resume: '${id}' }).`
      : 'it has no checkpoint to resume from; train again.';
  return {
    ...summary,
    status: 'interrupted',
    message: `Interrupted: ${reason} after step ${summary.steps}; ${resume}`
  };
}
