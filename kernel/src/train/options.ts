import type { PretextTask } from '../tasks/task';
import { check, checkOptionNames, checkPositive } from '../util/errors';

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
  /** Passes over the unlabeled data (default 10). On resume: the run's total, not extra epochs. */
  epochs?: number;
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
  /** Stop when the monitored value stops improving. */
  earlyStopping?: EarlyStoppingOptions;
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
}

export const TRAIN_OPTION_NAMES = [
  'epochs',
  'batchSize',
  'learningRate',
  'seed',
  'title',
  'display',
  'optimizer',
  'momentum',
  'schedule',
  'weightDecay',
  'gradientClipNorm',
  'earlyStopping',
  'monitors',
  'checkpointEvery',
  'runStore',
  'runName',
  'resume'
] as const;

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
  epochs: number;
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
  earlyStopping?: ResolvedEarlyStopping;
  monitors: TrainMonitor[];
  checkpointEvery: number;
  runStore: string | false;
  runName?: string;
  resume?: string;
}

const OPTIMIZERS: readonly OptimizerName[] = ['adam', 'adamw', 'sgd'];

function checkNonNegative(what: string, value: unknown): void {
  check(
    typeof value === 'number' && Number.isFinite(value) && value >= 0,
    `${what} must be a number of at least 0, got ${String(value)}.`,
    `Pass e.g. { ${what}: 0 }.`
  );
}

function checkPositiveInteger(what: string, value: unknown, example: string): void {
  check(
    Number.isInteger(value) && (value as number) > 0,
    `${what} must be a positive integer, got ${String(value)}.`,
    `Pass e.g. ${example}.`
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveSchedule(schedule: ScheduleOptions | undefined, learningRate: number) {
  if (schedule === undefined) return { kind: 'constant', minLearningRate: 0 } as ResolvedSchedule;
  check(
    isObject(schedule),
    `schedule must be an object, got ${String(schedule)}.`,
    "Pass e.g. { schedule: { kind: 'cosine', warmupEpochs: 1 } }."
  );
  checkOptionNames('train() schedule', schedule, [
    'kind',
    'warmupSteps',
    'warmupEpochs',
    'minLearningRate'
  ]);
  check(
    schedule.kind === 'cosine' || schedule.kind === 'constant',
    `schedule.kind must be 'cosine' or 'constant', got ${String(schedule.kind)}.`,
    "Pass e.g. { schedule: { kind: 'cosine' } }."
  );
  check(
    schedule.warmupSteps === undefined || schedule.warmupEpochs === undefined,
    'schedule sets both warmupSteps and warmupEpochs.',
    'Give the warmup length once, in steps or in epochs.'
  );
  if (schedule.warmupSteps !== undefined) {
    check(
      Number.isInteger(schedule.warmupSteps) && schedule.warmupSteps >= 0,
      `schedule.warmupSteps must be an integer of at least 0, got ${String(schedule.warmupSteps)}.`,
      'Pass e.g. { warmupSteps: 100 }.'
    );
  }
  if (schedule.warmupEpochs !== undefined) {
    checkNonNegative('schedule.warmupEpochs', schedule.warmupEpochs);
  }
  const minLearningRate = schedule.minLearningRate ?? 0;
  checkNonNegative('schedule.minLearningRate', minLearningRate);
  check(
    minLearningRate <= learningRate,
    `schedule.minLearningRate ${minLearningRate} is above learningRate ${learningRate}.`,
    'Use a minLearningRate below the peak learningRate (e.g. learningRate / 100).'
  );
  return {
    kind: schedule.kind,
    ...(schedule.warmupSteps !== undefined ? { warmupSteps: schedule.warmupSteps } : {}),
    ...(schedule.warmupEpochs !== undefined ? { warmupEpochs: schedule.warmupEpochs } : {}),
    minLearningRate
  } as ResolvedSchedule;
}

function resolveEarlyStopping(value: EarlyStoppingOptions | undefined) {
  if (value === undefined) return undefined;
  check(
    isObject(value),
    `earlyStopping must be an object, got ${String(value)}.`,
    "Pass e.g. { earlyStopping: { monitor: 'loss', patience: 3 } }."
  );
  checkOptionNames('train() earlyStopping', value, ['monitor', 'patience', 'minDelta', 'mode']);
  const monitor = value.monitor ?? 'loss';
  check(
    typeof monitor === 'string' && monitor.length > 0,
    `earlyStopping.monitor must be a metric name, got ${String(monitor)}.`,
    "Use 'loss' or a metric name one of your monitors returns."
  );
  const patience = value.patience ?? 3;
  checkPositiveInteger('earlyStopping.patience', patience, '{ patience: 3 }');
  const minDelta = value.minDelta ?? 0;
  checkNonNegative('earlyStopping.minDelta', minDelta);
  const mode = value.mode ?? (monitor === 'loss' ? 'min' : 'max');
  check(
    mode === 'min' || mode === 'max',
    `earlyStopping.mode must be 'min' or 'max', got ${String(mode)}.`,
    "Use 'min' for losses and 'max' for accuracies."
  );
  return { monitor, patience, minDelta, mode } as ResolvedEarlyStopping;
}

function resolveMonitors(monitors: TrainMonitor[] | undefined): TrainMonitor[] {
  if (monitors === undefined) return [];
  check(
    Array.isArray(monitors),
    'monitors must be an array of { name, everyEpochs, evaluate }.',
    "Pass e.g. { monitors: [{ name: 'knn', everyEpochs: 2, evaluate: ctx => ({ knn: 0.9 }) }] }."
  );
  const names = new Set<string>();
  for (const monitor of monitors) {
    check(
      isObject(monitor) && typeof monitor.name === 'string' && monitor.name.length > 0,
      'Each monitor needs a name.',
      "Pass e.g. { name: 'knn', everyEpochs: 2, evaluate: ctx => ({ knn: 0.9 }) }."
    );
    checkOptionNames(`monitor '${monitor.name}'`, monitor, ['name', 'everyEpochs', 'evaluate']);
    check(
      typeof monitor.evaluate === 'function',
      `Monitor '${monitor.name}' has no evaluate function.`,
      'Give it evaluate: ctx => ({ metricName: value }).'
    );
    if (monitor.everyEpochs !== undefined) {
      checkPositiveInteger(`monitor '${monitor.name}' everyEpochs`, monitor.everyEpochs, '2');
    }
    check(
      !names.has(monitor.name),
      `Two monitors are named '${monitor.name}'.`,
      'Give each monitor its own name.'
    );
    names.add(monitor.name);
  }
  return monitors;
}

/** The run store root: the option, else PRETEXT_RUNS, else './runs'; false disables it. */
export function defaultRunStoreRoot(): string {
  return process.env.PRETEXT_RUNS || './runs';
}

export function resolveTrainOptions(options: TrainOptions): ResolvedTrainOptions {
  check(
    options === undefined || isObject(options),
    `train() options must be an object, got ${String(options)}.`,
    'Pass e.g. { epochs: 10, batchSize: 256 }.'
  );
  checkOptionNames('train()', options, TRAIN_OPTION_NAMES);
  const given = Object.fromEntries(
    Object.entries(options ?? {}).filter(([, value]) => value !== undefined)
  ) as TrainOptions;
  const base = {
    epochs: 10,
    batchSize: 256,
    learningRate: 1e-3,
    seed: 0,
    display: true,
    optimizer: 'adam' as OptimizerName,
    weightDecay: 0,
    checkpointEvery: 1,
    ...given
  };
  check(
    Number.isInteger(base.epochs) && base.epochs > 0,
    `epochs must be a positive integer, got ${String(base.epochs)}.`,
    'Pass e.g. { epochs: 10 }.'
  );
  check(
    Number.isInteger(base.batchSize) && base.batchSize >= 2,
    `batchSize must be an integer of at least 2, got ${String(base.batchSize)}.`,
    'Pass e.g. { batchSize: 256 }; contrastive losses need at least two images per batch.'
  );
  checkPositive('learningRate', base.learningRate);
  check(
    Number.isInteger(base.seed),
    `seed must be an integer, got ${String(base.seed)}.`,
    'Pass e.g. { seed: 0 }.'
  );
  check(
    typeof base.display === 'boolean',
    `display must be true or false, got ${String(base.display)}.`,
    'Pass { display: false } to train without the live dashboard.'
  );
  check(
    OPTIMIZERS.includes(base.optimizer),
    `Unknown optimizer '${String(base.optimizer)}'.`,
    `Use one of: ${OPTIMIZERS.join(', ')}.`
  );
  if (base.momentum !== undefined) {
    check(
      base.optimizer === 'sgd',
      `momentum is an SGD setting but the optimizer is '${base.optimizer}'.`,
      "Pass { optimizer: 'sgd', momentum: 0.9 }, or drop momentum."
    );
  }
  const momentum = base.momentum ?? 0.9;
  check(
    typeof momentum === 'number' && momentum >= 0 && momentum < 1,
    `momentum must be in [0, 1), got ${String(momentum)}.`,
    'Pass e.g. { momentum: 0.9 }.'
  );
  checkNonNegative('weightDecay', base.weightDecay);
  check(
    base.weightDecay === 0 || base.optimizer !== 'adam',
    "weightDecay with optimizer 'adam' would be plain L2 regularisation, which Adam's per-weight scaling weakens.",
    "Use { optimizer: 'adamw', weightDecay: ... } for decoupled weight decay (or 'sgd')."
  );
  if (base.gradientClipNorm !== undefined) checkPositive('gradientClipNorm', base.gradientClipNorm);
  checkPositiveInteger('checkpointEvery', base.checkpointEvery, '{ checkpointEvery: 1 }');
  const runStore = base.runStore ?? defaultRunStoreRoot();
  check(
    runStore === false || (typeof runStore === 'string' && runStore.length > 0),
    `runStore must be a folder path or false, got ${String(base.runStore)}.`,
    "Pass e.g. { runStore: './runs' }, or { runStore: false } to keep no record."
  );
  if (base.runName !== undefined) {
    check(
      typeof base.runName === 'string' && base.runName.length > 0,
      `runName must be a non-empty string, got ${String(base.runName)}.`,
      "Pass e.g. { runName: 'baseline' }."
    );
  }
  if (base.resume !== undefined) {
    check(
      typeof base.resume === 'string' && base.resume.length > 0,
      `resume must be a run id or 'latest', got ${String(base.resume)}.`,
      "Pass e.g. { resume: 'latest' }."
    );
    check(
      runStore !== false,
      'resume needs a run store, but runStore is false.',
      'Drop runStore: false (or point runStore at the folder that holds the run).'
    );
  }
  const resolved: ResolvedTrainOptions = {
    epochs: base.epochs,
    batchSize: base.batchSize,
    learningRate: base.learningRate,
    seed: base.seed,
    display: base.display,
    optimizer: base.optimizer,
    momentum,
    schedule: resolveSchedule(base.schedule, base.learningRate),
    weightDecay: base.weightDecay,
    earlyStopping: resolveEarlyStopping(base.earlyStopping),
    monitors: resolveMonitors(base.monitors),
    checkpointEvery: base.checkpointEvery,
    runStore
  };
  if (base.title !== undefined) resolved.title = base.title;
  if (base.gradientClipNorm !== undefined) resolved.gradientClipNorm = base.gradientClipNorm;
  if (resolved.earlyStopping === undefined) delete resolved.earlyStopping;
  if (base.runName !== undefined) resolved.runName = base.runName;
  if (base.resume !== undefined) resolved.resume = base.resume;
  return resolved;
}

/** The options as JSON for config.json (monitors by name; functions cannot be stored). */
export function optionsForRecord(options: ResolvedTrainOptions): Record<string, unknown> {
  const { monitors, ...rest } = options;
  return {
    ...rest,
    monitors: monitors.map(m => ({ name: m.name, everyEpochs: m.everyEpochs ?? 1 }))
  };
}
