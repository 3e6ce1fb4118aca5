import { backendInfo, tf } from '../backend/tf';
import type { Dataset } from '../data/dataset';
import { toSource, type DataSource } from '../data/source';
import { assignTaskState } from '../runs/task-state';
import { createRun } from '../runs/store';
import type { PretextTask } from '../tasks/task';
import { BudgetPlanner } from './budget';
import type { TrainEnd } from './callbacks/callback';
import { engineCallbacks } from './callbacks/built-in';
import type { CallbackList } from './callbacks/list';
import { checkTrainData } from './checks';
import { trainEpochs } from './loop';
import { optionsForRecord, resolveTrainOptions, type TrainOptions } from './options';
import { createOptimizer, type EngineOptimizer } from './optimizers';
import { compilesUpdate, compileUnavailable } from './step-gradients';
import { planResume, type EngineState, type ResumePlan } from './resume';
import { TrainResult } from './result';
import { TrainRun } from './run-state';

export { TrainResult, type EpochSummary } from './result';

/** The options the caller set (an explicit `undefined` leaves the default in place). */
function definedOnly(options: TrainOptions): TrainOptions {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined)
  ) as TrainOptions;
}

/**
 * Optimises a pretext task on unlabeled data with a live dashboard. Steps use seeded
 * shuffles and seeded augmentations, so a run repeats exactly with the same seed. A kernel
 * interrupt stops training at the next step boundary, checkpoints it (with a run store) and
 * returns what was learned so far. With `resume`, a stored run continues where it stopped.
 * The loop itself is in loop.ts; records, checkpoints, dashboard, monitors, early stopping and
 * the NaN guard are callbacks (callbacks/), and `options.callbacks` adds your own after them.
 */
export async function train(
  task: PretextTask,
  data: Dataset | DataSource,
  options: TrainOptions = {}
): Promise<TrainResult> {
  // A method's measured defaults fill what the caller left out; a resume's explicit options
  // stay `options`, so the stored run's values still win over the method's.
  let opts = resolveTrainOptions(
    task.trainDefaults && typeof options === 'object' && options !== null
      ? { ...task.trainDefaults, ...definedOnly(options) }
      : options
  );
  const source = toSource(data);
  let plan: ResumePlan | undefined;
  if (opts.resume !== undefined) {
    // The batch size may come from the stored run; check the data without it first.
    checkTrainData(task, source, { ...opts, batchSize: 2 });
    ({ opts, plan } = planResume(task, source, options, opts));
  }
  checkTrainData(task, source, opts);
  const dataset = { name: source.name, size: source.size, shape: source.exampleShape };
  const stepsPerEpoch = Math.floor(source.size / opts.batchSize);
  const engine = plan?.checkpoint.manifest.engine as
    (EngineState & { plannedSteps?: number }) | undefined;
  const created =
    plan || opts.runStore === false
      ? undefined
      : createRun(opts.runStore, {
          ...(opts.runName ? { name: opts.runName } : {}),
          method: task.method,
          task: task.config(),
          options: optionsForRecord(opts),
          dataset,
          seed: opts.seed
        });
  const runDir = plan?.run.dir ?? created?.dir;
  const run = new TrainRun(task, opts, dataset, stepsPerEpoch, {
    runId: plan?.run.id ?? created?.id,
    runDir,
    records: plan ? plan.records : [],
    epochs: engine ? [...engine.epochs] : [],
    earlierSeconds: engine?.seconds ?? 0,
    ...(plan
      ? {
          resumedFromStep: plan.checkpoint.manifest.step,
          checkpoint: { dir: plan.checkpoint.dir, step: plan.checkpoint.manifest.step }
        }
      : {}),
    ...(opts.budget !== undefined
      ? { planner: new BudgetPlanner(opts.budget, stepsPerEpoch, engine?.plannedSteps) }
      : {})
  });
  // A compiled step that includes Adam needs its moments in tfjs variables, not in the fused
  // kernel's TF resources (which eager steps use).
  const tracedAdam =
    compilesUpdate(opts.optimizer) && compileUnavailable(task, opts.compile) === undefined;
  const optimizer = createOptimizer(
    opts.optimizer,
    opts.learningRate,
    opts.momentum,
    tracedAdam ? { nativeAdam: false } : {}
  );
  const callbacks = engineCallbacks(
    run,
    optimizer,
    plan ? { earlyStopping: engine?.earlyStopping, config: plan.run.config } : undefined
  );
  await runWithCallbacks(run, source, optimizer, callbacks, plan);
  return new TrainResult(
    task,
    run.status,
    run.history,
    run.epochs,
    opts,
    dataset,
    backendInfo(),
    run.elapsedSeconds,
    run.message,
    run.runId,
    run.records,
    run.stepMode
  );
}

/** Restores a resumed run, trains, and ends every callback however the run went. */
async function runWithCallbacks(
  run: TrainRun,
  source: DataSource,
  optimizer: EngineOptimizer,
  callbacks: CallbackList,
  plan: ResumePlan | undefined
): Promise<void> {
  const onInterrupt = () => {
    run.interrupted = true;
  };
  process.on('SIGINT', onInterrupt);
  let error: unknown;
  try {
    if (plan) {
      await restore(plan, optimizer);
    }
    const complete = plan ? run.alreadyComplete() : undefined;
    if (complete) {
      run.status = 'done';
      run.message = complete;
    }
    await callbacks.call('onTrainBegin', run);
    if (!complete) {
      await trainEpochs(run, source, optimizer, callbacks);
    }
    run.finish();
  } catch (caught) {
    error = caught;
    run.fail(caught);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
  const end: TrainEnd = { status: run.status, ...(run.message ? { message: run.message } : {}) };
  if (error !== undefined) {
    end.error = error;
  }
  try {
    await callbacks.end(end, run, failure => run.fail(failure));
  } finally {
    optimizer.dispose();
  }
  if (end.error !== undefined) {
    throw end.error;
  }
}

/** Puts a checkpoint's weights into the task and its optimiser state into the optimiser. */
async function restore(plan: ResumePlan, optimizer: EngineOptimizer): Promise<void> {
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
}
