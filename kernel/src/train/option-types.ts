/** The option types of train(): what a user passes, and what the engine runs on once resolved. */
import type { PretextTask } from '../tasks/task';
import type { TrainCallback } from './callbacks/callback';

export type OptimizerName = 'adam' | 'adamw' | 'sgd';

/** Learning-rate schedule: optional linear warmup, then constant or cosine decay. */
export interface ScheduleOptions {
  /** 'constant' keeps learningRate after warmup; 'cosine' decays it to minLearningRate. */
  kind: 'cosine' | 'constant';
  /** Steps of linear warmup from learningRate/warmupSteps up to learningRate. */
  warmupSteps?: number;
  /** Warmup length in epochs (converted to steps); use either this or warmupSteps. */
  warmupEpochs?: number;
  /** Where cosine decay ends, reached after the last step (default 0). */
  minLearningRate?: number;
}

export interface EarlyStoppingOptions {
  /** 'loss' (the epoch's mean loss, default) or a metric name a monitor returns. */
  monitor?: string;
  /** Checks without improvement before stopping (default 3). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** 'min' (default for 'loss') or 'max' (default for monitor metrics, e.g. accuracy). */
  mode?: 'min' | 'max';
}

/** What a monitor sees at the end of an epoch. */
export interface MonitorContext {
  /** Completed epochs, from 1. */
  epoch: number;
  /** Completed optimiser steps, from 1, across resumes. */
  step: number;
  task: PretextTask;
}

/** Extra metrics computed every few epochs (e.g. a kNN accuracy monitor). */
export interface TrainMonitor {
  name: string;
  /** Run after every `everyEpochs`-th epoch (default 1). */
  everyEpochs?: number;
  evaluate(ctx: MonitorContext): Promise<Record<string, number>> | Record<string, number>;
}

export interface TrainOptions {
  /**
   * Passes over the unlabeled data (default 10, unless `budget` is given). On resume: the run's
   * total, not extra epochs. Give either epochs or budget, not both.
   */
  epochs?: number;
  /**
   * A time budget instead of epochs: '90s', '4m', '1h', '1h30m' or a number of seconds. The
   * engine times its first steps, plans the total steps to fill the budget (the schedule's
   * warmup + cosine runs over the planned steps; re-planned when the speed drifts by more
   * than 15%) and stops at the budget. Epoch boundaries still shuffle, run monitors and
   * checkpoint. Passing both budget and epochs is an error. On resume: the run's total budget
   * (its earlier training time counts), not extra time.
   */
  budget?: string | number;
  /** Images per step; contrastive methods see 2x this many views (default 256). */
  batchSize?: number;
  /** Peak learning rate (default 1e-3). */
  learningRate?: number;
  /** Seeds shuffling and augmentation; same seed, same run (default 0). */
  seed?: number;
  /** Title of the live dashboard (default: method and dataset). */
  title?: string;
  /** Show the live dashboard (default true). */
  display?: boolean;
  /** 'adam' (default), 'adamw' (Adam + decoupled weight decay) or 'sgd' (with momentum). */
  optimizer?: OptimizerName;
  /** SGD momentum (default 0.9; only with optimizer 'sgd'). */
  momentum?: number;
  /** Learning-rate schedule (default constant, no warmup). */
  schedule?: ScheduleOptions;
  /**
   * Decoupled weight decay for 'adamw' and 'sgd': each step multiplies every weight of rank
   * >= 2 (kernels, not biases or batch-norm parameters) by (1 - lr * weightDecay). Default 0.
   */
  weightDecay?: number;
  /** Clip gradients to this global L2 norm (default: no clipping). */
  gradientClipNorm?: number;
  /**
   * Run each step's loss and gradients as one compiled TensorFlow function, traced at the first
   * step and checked against an eager step, when the task supports it (default true; the run's
   * record says which way it ran and why). false, or PRETEXT_GRAPH=0, runs every op eagerly.
   */
  compile?: boolean;
  /** Stop when the monitored value stops improving. */
  earlyStopping?: EarlyStoppingOptions;
  /**
   * Fail the run when it diverges without a NaN: the loss stuck at the task's chance level,
   * or the weights' norm grown 100x (default true). 'warn' prints the finding and trains on;
   * false turns the guard off.
   */
  divergenceGuard?: boolean | 'warn';
  /** Extra metrics every few epochs; shown on the dashboard and logged with the run. */
  monitors?: TrainMonitor[];
  /** Epochs between checkpoints when a run store is used (default 1). */
  checkpointEvery?: number;
  /** Run store folder, or false for none (default PRETEXT_RUNS or './runs'). */
  runStore?: string | false;
  /** A label recorded with the run. */
  runName?: string;
  /** Continue a stored run from its latest checkpoint: a run id, or 'latest'. */
  resume?: string;
  /**
   * Your own hooks, called after the built-in ones (monitors, early stopping, run store,
   * checkpoints, dashboard) at each step, epoch, checkpoint and the end. An error thrown by
   * one fails the run with a PretextError naming it; what was written so far stays.
   */
  callbacks?: TrainCallback[];
  /**
   * MLflow tracking server for this run (e.g. 'http://127.0.0.1:5000'): the run is also an
   * MLflow run with its params, metrics and artifacts. Default: MLFLOW_TRACKING_URI when set;
   * false: no tracking. Credentials come from MLFLOW_TRACKING_TOKEN or _USERNAME/_PASSWORD and
   * are never written to the run. Tracking never fails training: see px.syncRuns().
   */
  tracking?: string | false;
  /** The MLflow experiment (default MLFLOW_EXPERIMENT_NAME, the notebook's name, or 'pretext'). */
  experiment?: string;
  /** Write TensorBoard event files into the run folder (default true; needs a run store). */
  tensorboard?: boolean;
}

export interface ResolvedSchedule {
  kind: 'cosine' | 'constant';
  warmupSteps?: number;
  warmupEpochs?: number;
  minLearningRate: number;
}

export interface ResolvedEarlyStopping {
  monitor: string;
  patience: number;
  minDelta: number;
  mode: 'min' | 'max';
}

export interface ResolvedTrainOptions {
  /** Absent for a time-budgeted run. */
  epochs?: number;
  /** The time budget in seconds; absent for an epoch-budgeted run. */
  budget?: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  title?: string;
  display: boolean;
  optimizer: OptimizerName;
  momentum: number;
  schedule: ResolvedSchedule;
  weightDecay: number;
  gradientClipNorm?: number;
  compile: boolean;
  earlyStopping?: ResolvedEarlyStopping;
  /** Absent means on (true). */
  divergenceGuard?: boolean | 'warn';
  monitors: TrainMonitor[];
  checkpointEvery: number;
  runStore: string | false;
  runName?: string;
  resume?: string;
  callbacks: TrainCallback[];
  tracking?: string | false;
  experiment?: string;
  tensorboard: boolean;
}
