/** Resolving train() options: defaults, checks that name the problem and the fix, the stored record. */
import { check, checkOptionNames, checkPositive } from '../util/errors';
import { checkSeed } from '../util/random';
import { redactUri } from '../tracking/mlflow-client';
import { parseBudget } from './budget';
import { resolveCallbacks } from './callbacks/user';
import type {
  EarlyStoppingOptions,
  OptimizerName,
  ResolvedEarlyStopping,
  ResolvedSchedule,
  ResolvedTrainOptions,
  ScheduleOptions,
  TrainMonitor,
  TrainOptions
} from './option-types';

export type {
  EarlyStoppingOptions,
  MonitorContext,
  OptimizerName,
  ResolvedEarlyStopping,
  ResolvedSchedule,
  ResolvedTrainOptions,
  ScheduleOptions,
  TrainMonitor,
  TrainOptions
} from './option-types';

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
  'divergenceGuard',
  'monitors',
  'checkpointEvery',
  'runStore',
  'runName',
  'resume',
  'budget',
  'callbacks',
  'tracking',
  'experiment',
  'tensorboard'
] as const;

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
    base.epochs === undefined || base.budget === undefined,
    `train() got both epochs (${String(base.epochs)}) and budget (${JSON.stringify(base.budget)}).`,
    "Give one: { epochs: 10 } for passes over the data, or { budget: '4m' } for a time budget."
  );
  const budget = base.budget === undefined ? undefined : parseBudget(base.budget);
  const epochs = budget === undefined ? (base.epochs ?? 10) : undefined;
  check(
    epochs === undefined || (Number.isInteger(epochs) && epochs > 0),
    `epochs must be a positive integer, got ${String(epochs)}.`,
    'Pass e.g. { epochs: 10 }.'
  );
  check(
    Number.isInteger(base.batchSize) && base.batchSize >= 2,
    `batchSize must be an integer of at least 2, got ${String(base.batchSize)}.`,
    'Pass e.g. { batchSize: 256 }; contrastive losses need at least two images per batch.'
  );
  checkPositive('learningRate', base.learningRate);
  checkSeed('train', base.seed);
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
  check(
    base.divergenceGuard === undefined || [true, false, 'warn'].includes(base.divergenceGuard),
    `divergenceGuard must be true, false or 'warn', got ${String(base.divergenceGuard)}.`,
    "Pass { divergenceGuard: 'warn' } to be warned only, or false to turn the guard off."
  );
  check(
    base.tracking === undefined ||
      base.tracking === false ||
      (typeof base.tracking === 'string' && /^https?:\/\/./.test(base.tracking)),
    `tracking must be an http(s) URL of an MLflow server or false, got ${typeof base.tracking === 'string' ? JSON.stringify(redactUri(base.tracking)) : String(base.tracking)}.`,
    "Pass e.g. { tracking: 'http://127.0.0.1:5000' }, or set MLFLOW_TRACKING_URI."
  );
  check(
    base.experiment === undefined ||
      (typeof base.experiment === 'string' && base.experiment !== ''),
    `experiment must be a non-empty string, got ${String(base.experiment)}.`,
    "Pass e.g. { experiment: 'mnist-ssl' }."
  );
  check(
    base.tensorboard === undefined || typeof base.tensorboard === 'boolean',
    `tensorboard must be true or false, got ${String(base.tensorboard)}.`,
    'Pass { tensorboard: false } to write no TensorBoard event files.'
  );
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
    ...(epochs !== undefined ? { epochs } : {}),
    ...(budget !== undefined ? { budget } : {}),
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
    runStore,
    callbacks: resolveCallbacks(base.callbacks),
    tensorboard: base.tensorboard ?? true
  };
  if (base.title !== undefined) resolved.title = base.title;
  if (base.gradientClipNorm !== undefined) resolved.gradientClipNorm = base.gradientClipNorm;
  if (base.divergenceGuard !== undefined) resolved.divergenceGuard = base.divergenceGuard;
  if (base.tracking !== undefined) resolved.tracking = base.tracking;
  if (base.experiment !== undefined) resolved.experiment = base.experiment;
  if (resolved.earlyStopping === undefined) delete resolved.earlyStopping;
  if (base.runName !== undefined) resolved.runName = base.runName;
  if (base.resume !== undefined) resolved.resume = base.resume;
  return resolved;
}

/** The options as JSON for config.json (monitors and callbacks by name; functions cannot be stored). */
export function optionsForRecord(options: ResolvedTrainOptions): Record<string, unknown> {
  const { monitors, callbacks, tracking, ...rest } = options;
  return {
    ...rest,
    // A URI may carry user:password; the run files never do.
    ...(typeof tracking === 'string' ? { tracking: redactUri(tracking) } : {}),
    ...(tracking === false ? { tracking: false } : {}),
    monitors: monitors.map(m => ({ name: m.name, everyEpochs: m.everyEpochs ?? 1 })),
    ...(callbacks.length ? { callbacks: callbacks.map(c => c.name) } : {})
  };
}
