/**
 * What this kernel session has done, as the guide needs to know it. Library calls record
 * events here (dataset built, task created, run trained, evaluation done); nothing is sent
 * anywhere, and a kernel restart starts a fresh session, like the notebook's own state.
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

export interface SessionLog {
  datasets: DatasetEvent[];
  tasks: string[];
  runs: RunEvent[];
  evaluations: EvaluationEvent[];
  backendChecked: boolean;
}

const log: SessionLog = {
  datasets: [],
  tasks: [],
  runs: [],
  evaluations: [],
  backendChecked: false
};
const listeners = new Set<() => void>();

function changed(): void {
  for (const listener of listeners) listener();
}

export const session = {
  recordDataset(event: DatasetEvent): void {
    log.datasets.push(event);
    changed();
  },
  recordTask(method: string): void {
    log.tasks.push(method);
    changed();
  },
  recordRun(event: RunEvent): void {
    log.runs.push(event);
    changed();
  },
  recordEvaluation(event: EvaluationEvent): void {
    log.evaluations.push(event);
    changed();
  },
  recordBackendCheck(): void {
    if (log.backendChecked) return;
    log.backendChecked = true;
    changed();
  },
  /** Calls `listener` after every recorded event; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  snapshot(): SessionLog {
    return structuredClone(log);
  },
  /** Tests only: forget everything. */
  reset(): void {
    log.datasets.length = 0;
    log.tasks.length = 0;
    log.runs.length = 0;
    log.evaluations.length = 0;
    log.backendChecked = false;
    listeners.clear();
  }
};
