import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspect } from 'node:util';
import { backendInfo, tf, type BackendInfo, type Tensor } from '../backend/tf';
import { datasetSize, exampleShape, type Dataset } from '../data/dataset';
import {
  TrainingDashboard,
  dashboardText,
  type DashboardState,
  type RunStatus
} from '../render/dashboard';
import type { Displayable, MimeBundle } from '../render/mime';
import type { LossPoint } from '../render/specs';
import type { PretextTask } from '../tasks/task';
import { session } from '../guide/session';
import { PretextError, check } from '../util/errors';
import { deriveSeed, permutation } from '../util/random';
import {
  assignTaskState,
  matchTaskState,
  readCheckpoint,
  taskState,
  writeCheckpoint,
  type LoadedCheckpoint
} from '../runs/checkpoint';
import { writeJsonAtomic, writeFileAtomic } from '../runs/files';
import {
  createRun,
  openRunStore,
  type MetricRecord,
  type Run,
  type RunSummary
} from '../runs/store';
import {
  optionsForRecord,
  resolveTrainOptions,
  type ResolvedTrainOptions,
  type TrainOptions
} from './options';
import {
  applyWeightDecay,
  clipByGlobalNorm,
  createOptimizer,
  decayedVariables,
  globalNorm,
  isExtraOptimizerState
} from './optimizers';
import { learningRateAt } from './schedule';

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
    readonly records: MetricRecord[] = []
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
      totalEpochs: this.options.epochs,
      elapsedSec: this.seconds,
      samplesPerSec: this.samplesPerSec,
      metrics: {
        ...(Number.isFinite(this.finalLoss) ? { loss: this.finalLoss } : {}),
        ...latestMonitorMetrics(this.epochs)
      },
      history: this.history,
      message: this.message
    };
  }

  toBundle(): Promise<MimeBundle> {
    return TrainingDashboard.finalBundle(this.state());
  }

  [inspect.custom](): string {
    return dashboardText(this.state());
  }
}

function latestMonitorMetrics(epochs: EpochSummary[]): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const e of epochs) Object.assign(metrics, e.metrics ?? {});
  return metrics;
}

/** Waits for the event loop, so display messages and interrupts get through between steps. */
const nextTick = () => new Promise<void>(resolve => setImmediate(resolve));

function checkTrainData(task: PretextTask, data: Dataset, options: ResolvedTrainOptions): void {
  check(
    data && data.inputs instanceof tf.Tensor && data.inputs.rank >= 2,
    'train() expects a dataset whose inputs are a tensor [count, ...example shape].',
    'Pass a dataset from a loader or splitForSsl(), e.g. train(task, split.unlabeled).'
  );
  check(
    !data.inputs.isDisposed,
    `The inputs of dataset '${data.name}' were disposed.`,
    'Load the data again (disposeDataset frees it for good).'
  );
  check(
    data.labels === undefined,
    `train() got the labeled dataset '${data.name}'; pretext training must not see labels.`,
    'Pass the unlabeled view instead: split.unlabeled, or unlabeled(data).'
  );
  const size = datasetSize(data);
  check(size > 0, `Dataset '${data.name}' is empty.`, 'Load some data before training.');
  check(
    options.batchSize <= size,
    `batchSize ${options.batchSize} is larger than the ${size} examples in '${data.name}'.`,
    `Use batchSize ${Math.max(2, 2 ** Math.floor(Math.log2(size)))} or less, or load more data.`
  );
  const expected = task.encoder.inputs[0].shape.slice(1);
  const actual = exampleShape(data);
  check(
    expected.length === actual.length &&
      expected.every((dim, i) => dim === null || dim === actual[i]),
    `Examples in '${data.name}' are ${actual.join('x')} but the encoder expects ${expected.join('x')}.`,
    `Build the encoder with inputShape [${actual.join(', ')}], or reshape the data to ${expected.join('x')}.`
  );
  const expectedType = task.encoder.inputs[0].dtype;
  check(
    expectedType === undefined || expectedType === data.inputs.dtype,
    `Dataset '${data.name}' holds ${data.inputs.dtype} values but the encoder's input is ${expectedType}.`,
    expectedType === 'int32'
      ? 'Token ids must be int32: tokenize the text with the same tokenizer the encoder was built for.'
      : 'Convert the inputs, e.g. inputs.toFloat(), or build the encoder for this data type.'
  );
}

/** Options that must stay as they were for a resumed run to continue the same run. */
const CONTINUITY = ['batchSize', 'seed', 'optimizer', 'momentum'] as const;

interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number;
  bad: number;
}

interface EngineState {
  epochs: EpochSummary[];
  earlyStopping: EarlyStoppingState;
  seconds: number;
}

interface ResumePlan {
  run: Run;
  checkpoint: LoadedCheckpoint;
  pairs: ReturnType<typeof matchTaskState>;
  records: MetricRecord[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Finds the run to resume, merges its stored options under the given ones, checks both. */
function planResume(
  task: PretextTask,
  data: Dataset,
  given: TrainOptions,
  first: ResolvedTrainOptions
): { opts: ResolvedTrainOptions; plan: ResumePlan } {
  const store = openRunStore(first.runStore as string);
  const run = first.resume === 'latest' ? store.latest(task.method) : store.get(first.resume!);
  check(
    run.config.method === task.method,
    `Run ${run.id} trained '${run.config.method}', not '${task.method}'.`,
    `Resume it with a ${run.config.method} task, or pick a ${task.method} run from openRunStore().list().`
  );
  check(
    run.checkpointPath !== undefined,
    `Run ${run.id} has no checkpoint to resume from.`,
    'It stopped before its first checkpoint; train again without resume.'
  );
  const stored = run.config.options ?? {};
  const inherited: Record<string, unknown> = {};
  for (const name of [
    'epochs',
    'batchSize',
    'learningRate',
    'seed',
    'optimizer',
    'momentum',
    'schedule',
    'weightDecay',
    'gradientClipNorm',
    'earlyStopping',
    'checkpointEvery',
    'runName'
  ]) {
    if (stored[name] !== undefined) inherited[name] = stored[name];
  }
  if (stored.optimizer !== 'sgd') delete inherited.momentum;
  const explicit = Object.fromEntries(
    Object.entries(given).filter(([, value]) => value !== undefined)
  ) as TrainOptions;
  if (explicit.optimizer !== undefined && explicit.optimizer !== 'sgd') delete inherited.momentum;
  const opts = resolveTrainOptions({ ...(inherited as TrainOptions), ...explicit });
  for (const name of CONTINUITY) {
    if (name === 'momentum' && opts.optimizer !== 'sgd') continue;
    check(
      stored[name] === undefined || sameValue(stored[name], opts[name]),
      `Run ${run.id} was trained with ${name} ${JSON.stringify(stored[name])}; resuming with ${JSON.stringify(opts[name])} would not continue the same run.`,
      `Leave ${name} out (the run's value is used) or start a new run without resume.`
    );
  }
  const size = datasetSize(data);
  const shape = exampleShape(data);
  check(
    run.config.dataset.size === size && sameValue(run.config.dataset.shape, shape),
    `Run ${run.id} trained on ${run.config.dataset.size} examples of ${run.config.dataset.shape.join('x')} ('${run.config.dataset.name}'), but this data has ${size} of ${shape.join('x')}.`,
    'Resume with the same unlabeled data the run was trained on.'
  );
  // Read and check everything before touching the task: an error leaves it and the store as they were.
  const checkpoint = readCheckpoint(run.checkpointPath);
  const pairs = matchTaskState(checkpoint, task);
  const variables = task.trainableVariables();
  const slots = checkpoint.optimizerState
    .slice(1)
    .filter(s => !isExtraOptimizerState(s.entry.name));
  const perVariable = opts.optimizer === 'sgd' ? 1 : 2;
  const slotsFit =
    checkpoint.manifest.optimizer === opts.optimizer &&
    checkpoint.optimizerState[0]?.entry.name === 'iter' &&
    (slots.length === 0 || slots.length === perVariable * variables.length) &&
    slots.every((s, i) => sameValue(s.entry.shape, variables[i % variables.length].shape));
  check(
    slotsFit,
    `Checkpoint ${checkpoint.dir} holds ${checkpoint.manifest.optimizer} state for ${slots.length} slots that do not fit this task's ${variables.length} trainable variables.`,
    'Build the task exactly as for the stored run and resume again; the stored files were left as they are.'
  );
  const step = checkpoint.manifest.step;
  const records = run.metrics().filter(r => r.step <= step);
  return { opts, plan: { run, checkpoint, pairs, records } };
}

function describeCheckpoint(dir: string | undefined, runId: string | undefined): string {
  if (!dir || !runId) return '';
  try {
    const { manifest } = readCheckpoint(dir);
    return ` The last checkpoint (step ${manifest.step}) of run ${runId} is intact; resume it with train(task, data, { resume: '${runId}', learningRate: ... }).`;
  } catch {
    return ` No intact checkpoint was found for run ${runId}.`;
  }
}

/**
 * Optimises a pretext task on unlabeled data with a live dashboard. Steps use seeded
 * shuffles and seeded augmentations, so a run repeats exactly with the same seed. A kernel
 * interrupt stops training at the next step boundary, checkpoints it (with a run store) and
 * returns what was learned so far. With `resume`, a stored run continues where it stopped.
 */
export async function train(
  task: PretextTask,
  data: Dataset,
  options: TrainOptions = {}
): Promise<TrainResult> {
  let opts = resolveTrainOptions(options);
  let plan: ResumePlan | undefined;
  if (opts.resume !== undefined) {
    // The batch size may come from the stored run; check the data without it first.
    checkTrainData(task, data, { ...opts, batchSize: 2 });
    ({ opts, plan } = planResume(task, data, options, opts));
  }
  checkTrainData(task, data, opts);
  const size = datasetSize(data);
  const shape = exampleShape(data);
  const stepsPerEpoch = Math.floor(size / opts.batchSize);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const variables = task.trainableVariables();
  const decayed = opts.weightDecay > 0 ? decayedVariables(variables) : [];
  const optimizer = createOptimizer(opts.optimizer, opts.learningRate, opts.momentum);
  const records: MetricRecord[] = plan ? plan.records : [];
  const history: LossPoint[] = records.map(r => ({ step: r.step, epoch: r.epoch, loss: r.loss }));
  const engine = plan?.checkpoint.manifest.engine as EngineState | undefined;
  const epochs: EpochSummary[] = engine ? [...engine.epochs] : [];
  const stopping: EarlyStoppingState = engine
    ? { ...engine.earlyStopping }
    : { best: null, bestEpoch: 0, bad: 0 };
  const earlierSeconds = engine?.seconds ?? 0;
  const dashboard = opts.display ? new TrainingDashboard() : null;
  const started = Date.now();
  let status: RunStatus = 'running';
  let message: string | undefined;
  let interrupted = false;
  let failure: unknown;
  const onInterrupt = () => {
    interrupted = true;
  };

  // The run store: a new run folder, or the resumed run's.
  let runId: string | undefined;
  let runDir: string | undefined;
  let lastCheckpointStep = -1;
  let lastCheckpointDir: string | undefined;
  let pending: MetricRecord[] = [];
  if (plan) {
    runId = plan.run.id;
    runDir = plan.run.dir;
    lastCheckpointStep = plan.checkpoint.manifest.step;
    lastCheckpointDir = plan.checkpoint.dir;
  } else if (opts.runStore !== false) {
    ({ id: runId, dir: runDir } = createRun(opts.runStore, {
      ...(opts.runName ? { name: opts.runName } : {}),
      method: task.method,
      task: task.config(),
      options: optionsForRecord(opts),
      dataset: { name: data.name, size, shape },
      seed: opts.seed
    }));
  }
  const elapsed = () => earlierSeconds + (Date.now() - started) / 1000;
  const monitorMetrics = () => latestMonitorMetrics(epochs);

  const flushMetrics = () => {
    if (!runDir || pending.length === 0) return;
    fs.appendFileSync(
      path.join(runDir, 'metrics.jsonl'),
      pending.map(r => JSON.stringify(r)).join('\n') + '\n'
    );
    pending = [];
  };
  const writeSummary = () => {
    if (!runDir) return;
    const summary: RunSummary = {
      status,
      finalLoss: epochs.at(-1)?.meanLoss ?? null,
      steps: history.length,
      epochs: epochs.length,
      seconds: elapsed(),
      ...(message ? { message } : {}),
      updated: new Date().toISOString()
    };
    writeJsonAtomic(path.join(runDir, 'summary.json'), summary);
  };
  const checkpoint = async () => {
    if (!runDir || lastCheckpointStep === history.length) return;
    flushMetrics();
    const state = taskState(task);
    const optimizerWeights = await optimizer.weights();
    try {
      lastCheckpointDir = await writeCheckpoint(runDir, {
        method: task.method,
        step: history.length,
        optimizer: opts.optimizer,
        naming: state.naming,
        task: Object.entries(state.variables).map(([name, tensor]) => ({ name, tensor })),
        optimizerState: optimizerWeights,
        engine: {
          epochs,
          earlyStopping: stopping,
          seconds: elapsed(),
          stepsPerEpoch
        } satisfies EngineState & { stepsPerEpoch: number }
      });
    } finally {
      for (const w of optimizerWeights) if (w.owned) w.tensor.dispose();
    }
    lastCheckpointStep = history.length;
  };

  if (plan && runDir) {
    // Continue the stored curve: drop log lines past the checkpoint (written before a failure).
    writeFileAtomic(
      path.join(runDir, 'metrics.jsonl'),
      plan.records.map(r => JSON.stringify(r) + '\n').join('')
    );
    const config = plan.run.config;
    writeJsonAtomic(path.join(runDir, 'config.json'), {
      ...config,
      resumes: [
        ...(config.resumes ?? []),
        {
          at: new Date().toISOString(),
          fromStep: plan.checkpoint.manifest.step,
          options: optionsForRecord(opts)
        }
      ]
    });
  }

  const state = (): DashboardState => {
    const elapsedSec = elapsed();
    const last = records.at(-1);
    return {
      title: opts.title ?? `${task.method} on ${data.name}`,
      status,
      step: history.length,
      totalSteps,
      epoch: Math.min(opts.epochs, epochs.length + (status === 'running' ? 1 : 0)),
      totalEpochs: opts.epochs,
      elapsedSec,
      samplesPerSec: elapsedSec > 0 ? (history.length * opts.batchSize) / elapsedSec : undefined,
      metrics: last ? { loss: last.loss, lr: last.lr, ...monitorMetrics() } : {},
      history,
      message
    };
  };

  // A 'running' summary right away, so a runs browser sees the run while it trains.
  writeSummary();
  process.on('SIGINT', onInterrupt);
  try {
    if (plan) {
      assignTaskState(plan.pairs);
      const restored = plan.checkpoint.optimizerState.map(s =>
        s.entry.name === 'iter'
          ? { name: 'iter', tensor: tf.scalar(s.values[0], 'int32') }
          : { name: s.entry.name, tensor: tf.tensor(s.values, s.entry.shape, s.entry.dtype) }
      );
      try {
        await optimizer.setWeights(restored);
      } finally {
        tf.dispose(restored.map(r => r.tensor));
      }
      if (history.length >= totalSteps) {
        status = 'done';
        message = `Run ${runId} already has ${history.length} of ${totalSteps} steps; pass a larger epochs to train on.`;
      }
    }
    dashboard?.update(state(), true);
    const startEpoch = Math.floor(history.length / stepsPerEpoch);
    training: for (let epoch = startEpoch; epoch < opts.epochs && status === 'running'; epoch++) {
      const epochStarted = Date.now();
      const order = permutation(size, deriveSeed(opts.seed, epoch));
      const firstBatch = history.length - epoch * stepsPerEpoch;
      let lossSum = records.filter(r => r.epoch === epoch + 1).reduce((sum, r) => sum + r.loss, 0);
      for (let b = firstBatch; b < stepsPerEpoch; b++) {
        if (interrupted) {
          status = 'stopped';
          message = `Interrupted at step ${history.length}; the encoder keeps what it learned so far.${runId ? ` Resume with train(task, data, { resume: '${runId}' }).` : ''}`;
          break training;
        }
        const step = history.length;
        const lr = learningRateAt(
          opts.schedule,
          opts.learningRate,
          step,
          totalSteps,
          stepsPerEpoch
        );
        const indices = order.subarray(b * opts.batchSize, (b + 1) * opts.batchSize);
        const { value, grads, norm } = tf.tidy(() => {
          const batch = tf.gather(data.inputs, tf.tensor1d(indices, 'int32'));
          const computed = tf.variableGrads(
            () => task.loss(batch, deriveSeed(opts.seed, epoch, b)),
            variables
          );
          return {
            value: computed.value,
            grads: computed.grads,
            norm: globalNorm(Object.values(computed.grads))
          };
        });
        const stats = tf.stack([value, norm]);
        const [loss, gradNorm] = await stats.data();
        tf.dispose([stats, value, norm]);
        if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
          tf.dispose(grads);
          const what = !Number.isFinite(loss)
            ? `the loss became ${loss}`
            : `the gradient norm became ${gradNorm} (loss ${loss.toFixed(4)})`;
          const fix = `Lower learningRate (e.g. ${opts.learningRate / 10})${opts.gradientClipNorm === undefined ? ', set gradientClipNorm (e.g. 1)' : ''} or raise the temperature, then train again.`;
          status = 'failed';
          message = `Training stopped: ${what} at step ${step + 1} (epoch ${epoch + 1}); the weights are from before that step. Likely cause: learning rate too high for this batch size.${describeCheckpoint(lastCheckpointDir, runId)}`;
          throw new PretextError(message, fix);
        }
        optimizer.setLearningRate(lr);
        applyWeightDecay(decayed, lr, opts.weightDecay);
        tf.tidy(() => {
          const clipped =
            opts.gradientClipNorm !== undefined
              ? clipByGlobalNorm(grads, gradNorm, opts.gradientClipNorm)
              : grads;
          optimizer.apply(variables, clipped as Record<string, Tensor>);
        });
        tf.dispose(grads);
        if (task.afterStep) tf.tidy(() => task.afterStep!(step + 1));
        const record: MetricRecord = { step: step + 1, epoch: epoch + 1, loss, lr };
        if (opts.gradientClipNorm !== undefined) record.gradNorm = gradNorm;
        records.push(record);
        pending.push(record);
        history.push({ step: step + 1, epoch: epoch + 1, loss });
        lossSum += loss;
        dashboard?.update(state());
        await nextTick();
      }
      const summary: EpochSummary = {
        epoch: epoch + 1,
        meanLoss: lossSum / stepsPerEpoch,
        seconds: (Date.now() - epochStarted) / 1000
      };
      // Monitors: extra metrics every few epochs, logged on this epoch's last step.
      const computed: Record<string, number> = {};
      for (const monitor of opts.monitors) {
        if ((epoch + 1) % (monitor.everyEpochs ?? 1) !== 0) continue;
        const values = await monitor.evaluate({ epoch: epoch + 1, step: history.length, task });
        check(
          typeof values === 'object' && values !== null,
          `Monitor '${monitor.name}' returned ${String(values)} instead of { metricName: number }.`,
          'Make evaluate return an object of numbers, e.g. { knnAccuracy: 0.91 }.'
        );
        for (const [name, v] of Object.entries(values)) {
          check(
            typeof v === 'number',
            `Monitor '${monitor.name}' returned ${name} = ${String(v)}, not a number.`,
            'Return plain numbers, e.g. { knnAccuracy: 0.91 }.'
          );
          computed[name] = v;
        }
      }
      if (Object.keys(computed).length) {
        summary.metrics = computed;
        Object.assign(records[records.length - 1], computed);
      }
      epochs.push(summary);
      // Early stopping on the epoch loss or a monitor metric.
      const es = opts.earlyStopping;
      let stopEarly = false;
      if (es) {
        const value = es.monitor === 'loss' ? summary.meanLoss : computed[es.monitor];
        const monitorsRan = opts.monitors.some(m => (epoch + 1) % (m.everyEpochs ?? 1) === 0);
        if (value === undefined && es.monitor !== 'loss' && monitorsRan) {
          check(
            false,
            `earlyStopping.monitor '${es.monitor}' is not a metric any monitor returned at epoch ${epoch + 1} (got: ${['loss', ...Object.keys(computed)].join(', ')}).`,
            `Set earlyStopping.monitor to one of: ${['loss', ...Object.keys(computed)].join(', ')}.`
          );
        }
        if (value !== undefined) {
          const improved =
            stopping.best === null ||
            (es.mode === 'min'
              ? value < stopping.best - es.minDelta
              : value > stopping.best + es.minDelta);
          if (improved) {
            stopping.best = value;
            stopping.bestEpoch = epoch + 1;
            stopping.bad = 0;
          } else if (++stopping.bad >= es.patience) {
            stopEarly = true;
            status = 'stopped';
            message = `Early stopping after epoch ${epoch + 1}: ${es.monitor} has not improved by more than ${es.minDelta} for ${es.patience} check${es.patience === 1 ? '' : 's'} (best ${(stopping.best ?? value).toFixed(4)} at epoch ${stopping.bestEpoch}).`;
          }
        }
      }
      flushMetrics();
      if ((epoch + 1) % opts.checkpointEvery === 0 || epoch + 1 === opts.epochs || stopEarly) {
        await checkpoint();
      }
      dashboard?.update(state(), true);
    }
    if (status === 'running') status = 'done';
    if (status === 'stopped' || status === 'done') await checkpoint();
  } catch (error) {
    failure = error;
    status = 'failed';
    if (!message) {
      message = `Training failed at step ${history.length + 1}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    optimizer.dispose();
    if (status === 'running') status = 'failed';
    try {
      flushMetrics();
      writeSummary();
    } catch (error) {
      failure ??= error;
    }
    if (dashboard) await dashboard.finish(state());
    session.recordRun({
      method: task.method,
      status,
      steps: history.length,
      firstLoss: history[0]?.loss ?? NaN,
      lastLoss: history.at(-1)?.loss ?? NaN,
      knnHistory: epochs.flatMap(e => (e.metrics?.knn !== undefined ? [e.metrics.knn] : [])),
      rankRatio: [...epochs].reverse().find(e => e.metrics?.rankRatio !== undefined)?.metrics
        ?.rankRatio
    });
  }
  if (failure) throw failure;
  return new TrainResult(
    task,
    status,
    history,
    epochs,
    opts,
    { name: data.name, size, shape },
    backendInfo(),
    elapsed(),
    message,
    runId,
    records
  );
}
