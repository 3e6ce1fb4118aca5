import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendInfo, tf, type Tensor } from '../backend/tf';
import type { Dataset } from '../data/dataset';
import { toSource, type DataSource } from '../data/source';
import { TrainingDashboard, type DashboardState, type RunStatus } from '../render/dashboard';
import type { LossPoint } from '../render/specs';
import type { PretextTask } from '../tasks/task';
import { session } from '../guide/session';
import { PretextError } from '../util/errors';
import { deriveSeed, permutation } from '../util/random';
import { assignTaskState, taskState, writeCheckpoint } from '../runs/checkpoint';
import { writeJsonAtomic, writeFileAtomic } from '../runs/files';
import { createRun, type MetricRecord, type RunSummary } from '../runs/store';
import { checkTrainData } from './checks';
import { runMonitors, updateEarlyStopping } from './epoch-end';
import { optionsForRecord, resolveTrainOptions, type TrainOptions } from './options';
import {
  applyWeightDecay,
  clipByGlobalNorm,
  createOptimizer,
  decayedVariables,
  globalNorm
} from './optimizers';
import {
  describeCheckpoint,
  planResume,
  type EarlyStoppingState,
  type EngineState,
  type ResumePlan
} from './resume';
import { latestMonitorMetrics, TrainResult, type EpochSummary } from './result';
import { learningRateAt } from './schedule';

export { TrainResult, type EpochSummary } from './result';

/** Waits for the event loop, so display messages and interrupts get through between steps. */
const nextTick = () => new Promise<void>(resolve => setImmediate(resolve));

/**
 * Optimises a pretext task on unlabeled data with a live dashboard. Steps use seeded
 * shuffles and seeded augmentations, so a run repeats exactly with the same seed. A kernel
 * interrupt stops training at the next step boundary, checkpoints it (with a run store) and
 * returns what was learned so far. With `resume`, a stored run continues where it stopped.
 */
export async function train(
  task: PretextTask,
  data: Dataset | DataSource,
  options: TrainOptions = {}
): Promise<TrainResult> {
  let opts = resolveTrainOptions(options);
  const source = toSource(data);
  let plan: ResumePlan | undefined;
  if (opts.resume !== undefined) {
    // The batch size may come from the stored run; check the data without it first.
    checkTrainData(task, source, { ...opts, batchSize: 2 });
    ({ opts, plan } = planResume(task, source, options, opts));
  }
  checkTrainData(task, source, opts);
  const size = source.size;
  const shape = source.exampleShape;
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
      dataset: { name: source.name, size, shape },
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
      title: opts.title ?? `${task.method} on ${source.name}`,
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
        const batch = await source.read(indices);
        const { value, grads, norm } = tf.tidy(() => {
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
        batch.dispose();
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
      const computed = await runMonitors(opts.monitors, epoch + 1, history.length, task);
      if (Object.keys(computed).length) {
        summary.metrics = computed;
        Object.assign(records[records.length - 1], computed);
      }
      epochs.push(summary);
      const stopMessage = opts.earlyStopping
        ? updateEarlyStopping(opts.earlyStopping, stopping, {
            epoch: epoch + 1,
            meanLoss: summary.meanLoss,
            metrics: computed,
            monitorsRan: opts.monitors.some(m => (epoch + 1) % (m.everyEpochs ?? 1) === 0)
          })
        : undefined;
      const stopEarly = stopMessage !== undefined;
      if (stopEarly) {
        status = 'stopped';
        message = stopMessage;
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
    { name: source.name, size, shape },
    backendInfo(),
    elapsed(),
    message,
    runId,
    records
  );
}
