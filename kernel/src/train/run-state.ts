/** The state of one training call, as every callback sees it (the TrainContext). */
import type { MetricRecord } from '../runs/store';
import type { LossPoint } from '../render/specs';
import type { PretextTask } from '../tasks/task';
import { PretextError } from '../util/errors';
import { budgetText, type BudgetPlanner } from './budget';
import type { TrainContext, TrainStatus } from './callbacks/callback';
import type { ResolvedTrainOptions } from './options';
import type { EpochSummary } from './result';
import type { StepMode } from './step-gradients';

/** A failure whose problem already says what happened to the run (NaN stop, a callback's error). */
export class RunFailure extends PretextError {}

export interface RunStart {
  runId?: string;
  runDir?: string;
  records: MetricRecord[];
  epochs: EpochSummary[];
  earlierSeconds: number;
  resumedFromStep?: number;
  checkpoint?: { dir: string; step: number };
  planner?: BudgetPlanner;
}

export class TrainRun implements TrainContext {
  status: TrainStatus = 'running';
  message?: string;
  /** Set by the first requestStop; the loop stops before the next step. */
  stopMessage?: string;
  /** Set by a kernel interrupt (SIGINT); turned into a stop before the next step. */
  interrupted = false;
  checkpoint?: { dir: string; step: number };
  /** Compiled or eager steps (and why), once the loop has started. */
  stepMode?: StepMode;
  readonly runId?: string;
  readonly runDir?: string;
  readonly records: MetricRecord[];
  readonly epochs: EpochSummary[];
  readonly resumedFromStep?: number;
  readonly planner?: BudgetPlanner;
  private readonly earlierSeconds: number;
  private readonly started = Date.now();

  constructor(
    readonly task: PretextTask,
    readonly options: ResolvedTrainOptions,
    readonly dataset: { name: string; size: number; shape: number[] },
    readonly stepsPerEpoch: number,
    start: RunStart
  ) {
    this.runId = start.runId;
    this.runDir = start.runDir;
    this.records = start.records;
    this.epochs = start.epochs;
    this.earlierSeconds = start.earlierSeconds;
    this.resumedFromStep = start.resumedFromStep;
    this.checkpoint = start.checkpoint;
    this.planner = start.planner;
    // A budget can end mid-epoch; resuming there re-summarises that epoch when it completes.
    const epoch = Math.floor(this.step / stepsPerEpoch);
    if (this.step % stepsPerEpoch !== 0 && this.epochs.at(-1)?.epoch === epoch + 1) {
      this.epochs.pop();
    }
  }

  get step(): number {
    return this.records.length;
  }

  get elapsedSeconds(): number {
    return this.earlierSeconds + (Date.now() - this.started) / 1000;
  }

  /** The steps planned for the run; a budget that is not timed yet shows the steps so far. */
  get totalSteps(): number {
    if (!this.planner) {
      return this.stepsPerEpoch * this.options.epochs!;
    }
    const total = this.planner.scheduleTotal();
    return total === Number.MAX_SAFE_INTEGER ? this.step : total;
  }

  /** The total the learning-rate schedule runs over (a budget's plan, or no end before it). */
  get scheduleTotal(): number {
    return this.planner ? this.planner.scheduleTotal() : this.totalSteps;
  }

  get totalEpochs(): number {
    return this.options.epochs ?? Math.max(1, Math.ceil(this.totalSteps / this.stepsPerEpoch));
  }

  get budget(): TrainContext['budget'] {
    const p = this.planner;
    if (!p) {
      return undefined;
    }
    return {
      seconds: p.seconds,
      replans: p.replans,
      ...(p.planned ? { plannedSteps: p.planned } : {})
    };
  }

  get history(): LossPoint[] {
    return this.records.map(r => ({ step: r.step, epoch: r.epoch, loss: r.loss }));
  }

  requestStop(message: string): void {
    this.stopMessage ??= message;
  }

  /** Whether the planned steps are done (epochs) or the budget is used up. */
  planDone(): boolean {
    if (!this.planner) {
      return this.step >= this.totalSteps;
    }
    return this.planner.finished(this.step, this.elapsedSeconds);
  }

  /** Why a run ends at once: a resumed run that already has all its steps or time. */
  alreadyComplete(): string | undefined {
    if (!this.planDone()) {
      return undefined;
    }
    return this.planner
      ? `Run ${this.runId} already used its budget of ${budgetText(this.planner.seconds)} (${this.step} steps); pass a larger budget to train on.`
      : `Run ${this.runId} already has ${this.step} of ${this.totalSteps} steps; pass a larger epochs to train on.`;
  }

  /** Ends the run normally: stopped on request, else done. */
  finish(): void {
    if (this.status !== 'running') {
      return;
    }
    this.status = this.stopMessage !== undefined ? 'stopped' : 'done';
    this.message ??= this.stopMessage ?? this.budgetMessage();
  }

  fail(error: unknown): void {
    this.status = 'failed';
    this.message =
      error instanceof RunFailure
        ? error.problem
        : `Training failed at step ${this.step + 1}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }

  private budgetMessage(): string | undefined {
    const p = this.planner;
    if (!p) {
      return undefined;
    }
    return `Budget of ${budgetText(p.seconds)}: ${this.step} steps done of ${p.planned ?? '?'} planned, in ${this.elapsedSeconds.toFixed(1)} s.`;
  }
}
