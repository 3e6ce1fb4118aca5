/**
 * What this kernel session does, as a stream of events: library calls publish here (data
 * loaded, backend checked, task built, run trained, evaluation done) and whoever cares — the
 * guide, a sweep's recorder — subscribes. It sits below every folder so that low layers
 * (backend, data) can publish without knowing who listens. Nothing leaves the process, and a
 * kernel restart starts a fresh session, like the notebook's own state.
 */
export interface DatasetEvent {
  name: string;
  size: number;
  labeled: boolean;
}

export interface RunEvent {
  method: string;
  status: string;
  steps: number;
  firstLoss: number;
  lastLoss: number;
  /** kNN accuracy per monitored epoch, when a kNN monitor ran. */
  knnHistory?: number[];
  /** Effective rank / dimension of the embeddings, when measured (1 = full rank). */
  rankRatio?: number;
}

export interface EvaluationEvent {
  models: string[];
  bestAccuracy: number;
  /** Models whose embeddings look collapsed. */
  collapsing?: string[];
}

export type SessionEvent =
  | { kind: 'dataset'; dataset: DatasetEvent }
  | { kind: 'task'; method: string }
  | { kind: 'run'; run: RunEvent }
  | { kind: 'evaluation'; evaluation: EvaluationEvent }
  | { kind: 'backend-checked' };

export type SessionListener = (event: SessionEvent) => void;

// The whole history is kept (it is small), so a subscriber that arrives late, like a guide
// shown in the tenth cell, still sees what earlier cells did.
const history: SessionEvent[] = [];
const listeners = new Set<SessionListener>();

function publish(event: SessionEvent): void {
  history.push(event);
  for (const listener of listeners) {
    listener(event);
  }
}

/** The session's event bus: `record*` publish, `subscribe` listens, `events` replays. */
export const session = {
  recordDataset(dataset: DatasetEvent): void {
    publish({ kind: 'dataset', dataset: { ...dataset } });
  },
  recordTask(method: string): void {
    publish({ kind: 'task', method });
  },
  recordRun(run: RunEvent): void {
    publish({ kind: 'run', run: structuredClone(run) });
  },
  recordEvaluation(evaluation: EvaluationEvent): void {
    publish({ kind: 'evaluation', evaluation: structuredClone(evaluation) });
  },
  /** Published once per session: later checks of the same backend are not news. */
  recordBackendCheck(): void {
    if (history.some(e => e.kind === 'backend-checked')) {
      return;
    }
    publish({ kind: 'backend-checked' });
  },
  /** Calls `listener` with every later event; returns the unsubscribe function. */
  subscribe(listener: SessionListener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** Every event of this session so far, oldest first (copies). */
  events(): SessionEvent[] {
    return structuredClone(history);
  },
  /** Tests only: forget every event and every listener. */
  reset(): void {
    history.length = 0;
    listeners.clear();
  }
};
