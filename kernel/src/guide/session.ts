/**
 * What this kernel session has done, as the guide needs to know it: a log folded from the
 * session's event bus (`events/session-events.ts`), which library calls publish to. The guide
 * (and a sweep's recorder) read it here; nothing below the guide imports it.
 */
import {
  session as events,
  type DatasetEvent,
  type EvaluationEvent,
  type RunEvent,
  type SessionEvent
} from '../events/session-events';

export type { DatasetEvent, EvaluationEvent, RunEvent } from '../events/session-events';

export interface SessionLog {
  datasets: DatasetEvent[];
  tasks: string[];
  runs: RunEvent[];
  evaluations: EvaluationEvent[];
  backendChecked: boolean;
}

/** The log that a list of events adds up to. */
export function foldSessionLog(list: readonly SessionEvent[]): SessionLog {
  const log: SessionLog = {
    datasets: [],
    tasks: [],
    runs: [],
    evaluations: [],
    backendChecked: false
  };
  for (const event of list) {
    if (event.kind === 'dataset') {
      log.datasets.push(event.dataset);
    } else if (event.kind === 'task') {
      log.tasks.push(event.method);
    } else if (event.kind === 'run') {
      log.runs.push(event.run);
    } else if (event.kind === 'evaluation') {
      log.evaluations.push(event.evaluation);
    } else {
      log.backendChecked = true;
    }
  }
  return log;
}

/** The session as the guide reads it; `record*` publish on the bus (tests, notebooks). */
export const session = {
  recordDataset: events.recordDataset,
  recordTask: events.recordTask,
  recordRun: events.recordRun,
  recordEvaluation: events.recordEvaluation,
  recordBackendCheck: events.recordBackendCheck,
  /** Calls `listener` after every recorded event; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    return events.subscribe(() => listener());
  },
  snapshot(): SessionLog {
    return foldSessionLog(events.events());
  },
  /** Tests only: forget everything. */
  reset(): void {
    events.reset();
  }
};
