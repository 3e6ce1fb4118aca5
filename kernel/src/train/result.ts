import { inspect } from 'node:util';
import type { BackendInfo } from '../backend/tf';
import {
  TrainingDashboard,
  dashboardText,
  type DashboardState,
  type RunStatus
} from '../render/dashboard';
import type { Displayable, MimeBundle } from '../render/mime';
import type { LossPoint } from '../render/specs';
import type { MetricRecord } from '../runs/store';
import type { PretextTask } from '../tasks/task';
import type { StepMode } from './step-gradients';
import type { ResolvedTrainOptions } from './options';

export interface EpochSummary {
  epoch: number;
  meanLoss: number;
  seconds: number;
  /** Monitor metrics computed at the end of this epoch, if any. */
  metrics?: Record<string, number>;
}

/** What a training call produced: the trained task, its curve, and how it ended. */
export class TrainResult implements Displayable {
  constructor(
    readonly task: PretextTask,
    readonly status: RunStatus,
    readonly history: LossPoint[],
    readonly epochs: EpochSummary[],
    readonly options: ResolvedTrainOptions,
    readonly dataset: { name: string; size: number; shape: number[] },
    readonly environment: BackendInfo,
    readonly seconds: number,
    readonly message?: string,
    /** The run's id in the run store, when one was used. */
    readonly runId?: string,
    /** Per-step records (loss, lr, gradNorm, monitor metrics), as in metrics.jsonl. */
    readonly records: MetricRecord[] = [],
    /** Whether steps ran as one compiled TensorFlow function, and if not, why. */
    readonly steps?: StepMode
  ) {}

  get finalLoss(): number {
    return this.epochs.at(-1)?.meanLoss ?? NaN;
  }

  get samplesPerSec(): number {
    const steps = this.history.length;
    return this.seconds > 0 ? (steps * this.options.batchSize) / this.seconds : 0;
  }

  private state(): DashboardState {
    return {
      title: this.options.title ?? `${this.task.method} on ${this.dataset.name}`,
      status: this.status,
      step: this.history.length,
      totalSteps: this.history.length,
      epoch: this.epochs.length,
      totalEpochs: this.options.epochs ?? this.epochs.length,
      elapsedSec: this.seconds,
      samplesPerSec: this.samplesPerSec,
      metrics: {
        ...(Number.isFinite(this.finalLoss) ? { loss: this.finalLoss } : {}),
        ...latestMonitorMetrics(this.epochs)
      },
      history: this.history,
      message: this.message,
      ...(this.options.budget !== undefined ? { budgetSec: this.options.budget } : {})
    };
  }

  toBundle(): Promise<MimeBundle> {
    return TrainingDashboard.finalBundle(this.state());
  }

  [inspect.custom](): string {
    return dashboardText(this.state());
  }
}

/** The latest value of every monitor metric over the epochs so far. */
export function latestMonitorMetrics(epochs: EpochSummary[]): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const e of epochs) {
    Object.assign(metrics, e.metrics ?? {});
  }
  return metrics;
}
