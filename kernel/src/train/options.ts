/**
 * Resolving train() options: one zod schema per options object (types, defaults, ranges,
 * unknown names) with the problem + fix of each, then the rules between options; the stored record.
 */
import {
  nonEmptyString,
  nonNegativeNumber,
  positiveInteger,
  positiveNumber,
  flag,
  func
} from '../options/fields';
import { checkedBy, inputIs, optionsObject, parseOptions, says, z } from '../options/schema';
import { check } from '../util/errors';
import { checkSeed } from '../util/random';
import { redactUri } from '../tracking/mlflow-http';
import { resolveTrackingUri } from '../tracking/tracking-uri';
import { parseBudget } from './budget';
import type { TrainCallback } from './callbacks/callback';
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

const OPTIMIZERS = ['adam', 'adamw', 'sgd'] as const satisfies readonly OptimizerName[];

const scheduleSchema = inputIs<ScheduleOptions>()(
  optionsObject(
    'train() schedule',
    {
      kind: z.enum(
        ['cosine', 'constant'],
        says(
          v => `schedule.kind must be 'cosine' or 'constant', got ${String(v)}.`,
          "Pass e.g. { schedule: { kind: 'cosine' } }."
        )
      ),
      warmupSteps: z
        .int(
          says(
            v => `schedule.warmupSteps must be an integer of at least 0, got ${String(v)}.`,
            'Pass e.g. { warmupSteps: 100 }.'
          )
        )
        .min(0)
        .optional(),
      warmupEpochs: nonNegativeNumber('schedule.warmupEpochs').optional(),
      minLearningRate: nonNegativeNumber('schedule.minLearningRate').default(0)
    },
    {
      problem: v => `schedule must be an object, got ${String(v)}.`,
      fix: "Pass e.g. { schedule: { kind: 'cosine', warmupEpochs: 1 } }."
    }
  )
);

const earlyStoppingSchema = inputIs<EarlyStoppingOptions>()(
  optionsObject(
    'train() earlyStopping',
    {
      monitor: z
        .string(
          says(
            v => `earlyStopping.monitor must be a metric name, got ${String(v)}.`,
            "Use 'loss' or a metric name one of your monitors returns."
          )
        )
        .min(1)
        .default('loss'),
      patience: positiveInteger('earlyStopping.patience', 'Pass e.g. { patience: 3 }.').default(3),
      minDelta: nonNegativeNumber('earlyStopping.minDelta').default(0),
      mode: z
        .enum(
          ['min', 'max'],
          says(
            v => `earlyStopping.mode must be 'min' or 'max', got ${String(v)}.`,
            "Use 'min' for losses and 'max' for accuracies."
          )
        )
        .optional()
    },
    {
      problem: v => `earlyStopping must be an object, got ${String(v)}.`,
      fix: "Pass e.g. { earlyStopping: { monitor: 'loss', patience: 3 } }."
    }
  )
);

const MONITOR_EXAMPLE = "{ name: 'knn', everyEpochs: 2, evaluate: ctx => ({ knn: 0.9 }) }";

/** One monitor; its messages name it, so the schema is made for the name it has. */
function monitorSchema(name: string) {
  return optionsObject(
    `monitor '${name}'`,
    {
      name: z.string(says('Each monitor needs a name.', `Pass e.g. ${MONITOR_EXAMPLE}.`)).min(1),
      everyEpochs: positiveInteger(`monitor '${name}' everyEpochs`, 'Pass e.g. 2.').optional(),
      evaluate: func(
        () => `Monitor '${name}' has no evaluate function.`,
        'Give it evaluate: ctx => ({ metricName: value }).'
      )
    },
    { problem: 'Each monitor needs a name.', fix: `Pass e.g. ${MONITOR_EXAMPLE}.` }
  );
}

const monitorsSchema = z
  .array(
    // Monitors are kept as given: they may be class instances whose evaluate uses `this`.
    checkedBy<TrainMonitor>(value => {
      const name = (value as { name?: unknown } | null)?.name;
      parseOptions(monitorSchema(typeof name === 'string' ? name : ''), value);
    }),
    says(
      'monitors must be an array of { name, everyEpochs, evaluate }.',
      `Pass e.g. { monitors: [${MONITOR_EXAMPLE}] }.`
    )
  )
  .superRefine((monitors, ctx) => {
    const names = monitors.map(m => m.name);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message: says(
          `Two monitors are named '${twice}'.`,
          'Give each monitor its own name.'
        ).error({})
      });
    }
  });

// zod reports a union member's own failure when only one member has the input's type, so
// each member carries the union's message too.
const divergenceGuardSays = says(
  v => `divergenceGuard must be true, false or 'warn', got ${String(v)}.`,
  "Pass { divergenceGuard: 'warn' } to be warned only, or false to turn the guard off."
);
const divergenceGuardOption = z.union(
  [z.boolean(divergenceGuardSays), z.literal('warn', divergenceGuardSays)],
  divergenceGuardSays
);

const trackingSays = says(
  v =>
    `tracking must be an http(s) URL of an MLflow server or false, got ${typeof v === 'string' ? JSON.stringify(redactUri(v)) : String(v)}.`,
  "Pass e.g. { tracking: 'http://127.0.0.1:5000' }, or set PRETEXT_TRACKING_URI or MLFLOW_TRACKING_URI (or Settings > Pretext > Tracking URI)."
);
const trackingOption = z.union(
  [z.literal(false, trackingSays), z.string(trackingSays).regex(/^https?:\/\/./)],
  trackingSays
);

const runStoreSays = says(
  v => `runStore must be a folder path or false, got ${String(v)}.`,
  "Pass e.g. { runStore: './runs' }, or { runStore: false } to keep no record."
);
const runStoreOption = z.union(
  [z.literal(false, runStoreSays), z.string(runStoreSays).min(1)],
  runStoreSays
);

/** train()'s options, in the order they are checked (the first failure is reported). */
const trainSchema = inputIs<TrainOptions>()(
  optionsObject(
    'train()',
    {
      epochs: positiveInteger('epochs', 'Pass e.g. { epochs: 10 }.').optional(),
      budget: checkedBy<string | number>(parseBudget).optional(),
      batchSize: z
        .int(
          says(
            v => `batchSize must be an integer of at least 2, got ${String(v)}.`,
            'Pass e.g. { batchSize: 256 }; contrastive losses need at least two images per batch.'
          )
        )
        .min(2)
        .default(256),
      learningRate: positiveNumber('learningRate').default(1e-3),
      seed: checkedBy<number>(seed => checkSeed('train', seed)).default(0),
      display: flag(
        'display',
        'Pass { display: false } to train without the live dashboard.'
      ).default(true),
      optimizer: z
        .enum(
          OPTIMIZERS,
          says(v => `Unknown optimizer '${String(v)}'.`, `Use one of: ${OPTIMIZERS.join(', ')}.`)
        )
        .default('adam'),
      momentum: z
        .number(
          says(v => `momentum must be in [0, 1), got ${String(v)}.`, 'Pass e.g. { momentum: 0.9 }.')
        )
        .min(0)
        .lt(1)
        .optional(),
      weightDecay: nonNegativeNumber('weightDecay').default(0),
      gradientClipNorm: positiveNumber('gradientClipNorm').optional(),
      compile: flag('compile', 'Pass { compile: false } to run every step eagerly.').default(true),
      checkpointEvery: positiveInteger(
        'checkpointEvery',
        'Pass e.g. { checkpointEvery: 1 }.'
      ).default(1),
      divergenceGuard: divergenceGuardOption.optional(),
      tracking: trackingOption.optional(),
      experiment: nonEmptyString('experiment', "Pass e.g. { experiment: 'mnist-ssl' }.").optional(),
      tensorboard: flag(
        'tensorboard',
        'Pass { tensorboard: false } to write no TensorBoard event files.'
      ).default(true),
      runStore: runStoreOption.default(() => defaultRunStoreRoot()),
      runName: nonEmptyString('runName', "Pass e.g. { runName: 'baseline' }.").optional(),
      resume: z
        .string(
          says(
            v => `resume must be a run id or 'latest', got ${String(v)}.`,
            "Pass e.g. { resume: 'latest' }."
          )
        )
        .min(1)
        .optional(),
      title: z
        .string(
          says(
            v => `title must be a string, got ${String(v)}.`,
            "Pass e.g. { title: 'SimCLR on MNIST' }."
          )
        )
        .optional(),
      schedule: scheduleSchema.optional(),
      earlyStopping: earlyStoppingSchema.optional(),
      monitors: monitorsSchema.default([]),
      // Hooks may live on a class's prototype: resolveCallbacks reads them, the objects stay as given.
      callbacks: checkedBy<TrainCallback[]>(resolveCallbacks).default([])
    },
    {
      problem: v => `train() options must be an object, got ${String(v)}.`,
      fix: 'Pass e.g. { epochs: 10, batchSize: 256 }.'
    }
  )
);

/** The run store root: the option, else PRETEXT_RUNS, else './runs'; false disables it. */
export function defaultRunStoreRoot(): string {
  return process.env.PRETEXT_RUNS || './runs';
}

/** The rules between options, which no single field's schema can see. */
function checkCombinations(given: z.output<typeof trainSchema>): void {
  check(
    given.epochs === undefined || given.budget === undefined,
    `train() got both epochs (${String(given.epochs)}) and budget (${JSON.stringify(given.budget)}).`,
    "Give one: { epochs: 10 } for passes over the data, or { budget: '4m' } for a time budget."
  );
  check(
    given.momentum === undefined || given.optimizer === 'sgd',
    `momentum is an SGD setting but the optimizer is '${given.optimizer}'.`,
    "Pass { optimizer: 'sgd', momentum: 0.9 }, or drop momentum."
  );
  check(
    given.weightDecay === 0 || given.optimizer !== 'adam',
    "weightDecay with optimizer 'adam' would be plain L2 regularisation, which Adam's per-weight scaling weakens.",
    "Use { optimizer: 'adamw', weightDecay: ... } for decoupled weight decay (or 'sgd')."
  );
  // A bad tracking URI from the environment or the settings file fails here, before a run
  // folder exists (tracking only runs with a run store).
  if (given.runStore !== false) {
    resolveTrackingUri(given.tracking);
  }
  check(
    given.resume === undefined || given.runStore !== false,
    'resume needs a run store, but runStore is false.',
    'Drop runStore: false (or point runStore at the folder that holds the run).'
  );
  const schedule = given.schedule;
  check(
    schedule?.warmupSteps === undefined || schedule.warmupEpochs === undefined,
    'schedule sets both warmupSteps and warmupEpochs.',
    'Give the warmup length once, in steps or in epochs.'
  );
  const minLearningRate = schedule?.minLearningRate ?? 0;
  check(
    minLearningRate <= given.learningRate,
    `schedule.minLearningRate ${minLearningRate} is above learningRate ${given.learningRate}.`,
    'Use a minLearningRate below the peak learningRate (e.g. learningRate / 100).'
  );
}

export function resolveTrainOptions(options: TrainOptions): ResolvedTrainOptions {
  const given = parseOptions(trainSchema, options ?? {});
  checkCombinations(given);
  const budget = given.budget === undefined ? undefined : parseBudget(given.budget);
  const early = given.earlyStopping;
  const earlyStopping: ResolvedEarlyStopping | undefined = early && {
    monitor: early.monitor,
    patience: early.patience,
    minDelta: early.minDelta,
    mode: early.mode ?? (early.monitor === 'loss' ? 'min' : 'max')
  };
  const schedule: ResolvedSchedule = given.schedule ?? { kind: 'constant', minLearningRate: 0 };
  // The key order is config.json's.
  const resolved: ResolvedTrainOptions = {
    ...(budget === undefined ? { epochs: given.epochs ?? 10 } : { budget }),
    batchSize: given.batchSize,
    learningRate: given.learningRate,
    seed: given.seed,
    display: given.display,
    optimizer: given.optimizer,
    momentum: given.momentum ?? 0.9,
    schedule: {
      kind: schedule.kind,
      ...(schedule.warmupSteps !== undefined ? { warmupSteps: schedule.warmupSteps } : {}),
      ...(schedule.warmupEpochs !== undefined ? { warmupEpochs: schedule.warmupEpochs } : {}),
      minLearningRate: schedule.minLearningRate
    },
    weightDecay: given.weightDecay,
    compile: given.compile,
    ...(earlyStopping ? { earlyStopping } : {}),
    monitors: given.monitors,
    checkpointEvery: given.checkpointEvery,
    runStore: given.runStore,
    callbacks: given.callbacks,
    tensorboard: given.tensorboard
  };
  for (const name of [
    'title',
    'gradientClipNorm',
    'divergenceGuard',
    'tracking',
    'experiment',
    'runName',
    'resume'
  ] as const) {
    if (given[name] !== undefined) {
      Object.assign(resolved, { [name]: given[name] });
    }
  }
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
