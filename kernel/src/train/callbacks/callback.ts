/**
 * Training callbacks: the engine's loop calls these hooks, and everything that is not the
 * optimisation itself (run store, checkpoints, dashboard, monitors, early stopping, NaN guard,
 * tracking servers, TensorBoard, a user's own sink) is one callback. Hooks may be async; the
 * loop awaits each in the order the callbacks were given.
 */
import type { PretextTask } from '../../tasks/task';
import type { MetricRecord, RunSummary } from '../../runs/store';
import type { ResolvedTrainOptions } from '../options';
import type { EpochSummary } from '../result';

/** How a run ended (or is now): the statuses the run store records. */
export type TrainStatus = 'running' | 'done' | 'stopped' | 'failed';

/** What every hook can read about the run in progress. */
export interface TrainContext {
  readonly task: PretextTask;
  readonly options: ResolvedTrainOptions;
  /** The run's id and folder in the local run store, when one is used. */
  readonly runId?: string;
  readonly runDir?: string;
  readonly dataset: { name: string; size: number; shape: number[] };
  readonly stepsPerEpoch: number;
  /** Planned optimiser steps for the whole run (may be re-planned under a time budget). */
  readonly totalSteps: number;
  /** Completed optimiser steps so far, across resumes. */
  readonly step: number;
  /** Seconds of training so far, across resumes. */
  readonly elapsedSeconds: number;
  /** The step a resumed run continued from; undefined for a new run. */
  readonly resumedFromStep?: number;
  /** Every per-step record so far (as in metrics.jsonl), across resumes. */
  readonly records: readonly MetricRecord[];
  /** Asks the loop to stop after the current step, with this message for the run. */
  requestStop(message: string): void;
  /** How the run stands now: 'running' until it ends. */
  readonly status?: TrainStatus;
  /** The run's message so far (why it stopped or failed), if any. */
  readonly message?: string;
  /** Every epoch summary so far, across resumes (the last one may be a budget's partial epoch). */
  readonly epochs?: readonly EpochSummary[];
  /** The latest checkpoint, written or resumed from. */
  readonly checkpoint?: { dir: string; step: number };
  /** A time-budgeted run's budget and plan (plannedSteps undefined until the speed is timed). */
  readonly budget?: { seconds: number; plannedSteps?: number; replans: number };
}

/** A step's loss and gradient norm, known before its update is applied. */
export interface StepStats {
  /** The step being taken, from 1, across resumes. */
  step: number;
  epoch: number;
  loss: number;
  gradNorm: number;
  lr: number;
}

export interface TrainEnd {
  status: TrainStatus;
  message?: string;
  /** The summary the run store holds at the end (absent without a run store). */
  summary?: RunSummary;
  /** The error that ended the run, when it failed. */
  error?: unknown;
}

export interface TrainCallback {
  /** Shown in error messages when a hook throws, e.g. 'mlflow'. */
  readonly name: string;
  /** Before the first step (after a resumed run's state is restored). */
  onTrainBegin?(ctx: TrainContext): void | Promise<void>;
  /**
   * After a step's loss and gradients are computed, before the update: throwing here (e.g.
   * the NaN guard) fails the run with the weights as they were before the step.
   */
  onGradients?(stats: StepStats, ctx: TrainContext): void | Promise<void>;
  /** After each optimiser step, with that step's record (already in ctx.records). */
  onStepEnd?(record: MetricRecord, ctx: TrainContext): void | Promise<void>;
  /** After each epoch, once monitors ran; `epoch.metrics` holds their values. */
  onEpochEnd?(epoch: EpochSummary, ctx: TrainContext): void | Promise<void>;
  /** After a checkpoint was written (atomically) to `dir`. */
  onCheckpoint?(checkpoint: { dir: string; step: number }, ctx: TrainContext): void | Promise<void>;
  /** Once, however the run ended (done, stopped, failed), after the run store's last write. */
  onTrainEnd?(end: TrainEnd, ctx: TrainContext): void | Promise<void>;
}
