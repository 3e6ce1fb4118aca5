/**
 * The training loop: epochs of seeded shuffles, one optimiser step per batch, and callbacks at
 * every step, epoch end and the end. Everything else (records, checkpoints, dashboard,
 * monitors, early stopping, NaN guard) lives in callbacks/.
 */
import { tf, type Tensor, type Variable } from '../backend/tf';
import type { DataSource } from '../data/source';
import type { MetricRecord } from '../runs/store';
import { deriveSeed, permutation } from '../util/random';
import type { CallbackList } from './callbacks/list';
import {
  applyWeightDecay,
  clipByGlobalNorm,
  decayedVariables,
  type EngineOptimizer
} from './optimizers';
import type { EpochSummary } from './result';
import type { TrainRun } from './run-state';
import { learningRateAt } from './schedule';
import { StepGradientEngine } from './step-gradients';

/** Waits for the event loop, so display messages and interrupts get through between steps. */
const nextTick = () => new Promise<void>(resolve => setImmediate(resolve));

interface StepTools {
  source: DataSource;
  optimizer: EngineOptimizer;
  callbacks: CallbackList;
  variables: Variable[];
  decayed: Variable[];
  gradients: StepGradientEngine;
}

/** One optimiser step on batch `b` of `epoch` (both from 0), then its callbacks. */
async function takeStep(
  run: TrainRun,
  tools: StepTools,
  order: Int32Array,
  epoch: number,
  b: number
) {
  const opts = run.options;
  const step = run.step;
  const lr = learningRateAt(
    opts.schedule,
    opts.learningRate,
    step,
    run.scheduleTotal,
    run.stepsPerEpoch
  );
  const batch = await tools.source.read(
    order.subarray(b * opts.batchSize, (b + 1) * opts.batchSize)
  );
  let computed;
  try {
    computed = tools.gradients.compute(batch, deriveSeed(opts.seed, epoch, b), lr);
  } finally {
    batch.dispose();
  }
  const { value, grads, norm, update } = computed;
  const stats = tf.stack([value, norm]);
  const [loss, gradNorm] = await stats.data();
  tf.dispose([stats, value, norm]);
  try {
    await tools.callbacks.call(
      'onGradients',
      { step: step + 1, epoch: epoch + 1, loss, gradNorm, lr },
      run
    );
    tools.optimizer.setLearningRate(lr);
    if (update) {
      // The compiled step computed clipping, decay and Adam already.
      update.commit();
    } else {
      applyWeightDecay(tools.decayed, lr, opts.weightDecay);
      tf.tidy(() => {
        const clipped =
          opts.gradientClipNorm !== undefined
            ? clipByGlobalNorm(grads, gradNorm, opts.gradientClipNorm)
            : grads;
        tools.optimizer.apply(tools.variables, clipped as Record<string, Tensor>);
      });
    }
  } finally {
    tf.dispose(grads);
    update?.discard();
  }
  if (run.task.afterStep) {
    tf.tidy(() => run.task.afterStep!(step + 1));
  }
  const record: MetricRecord = { step: step + 1, epoch: epoch + 1, loss, lr };
  if (opts.gradientClipNorm !== undefined) {
    record.gradNorm = gradNorm;
  }
  run.records.push(record);
  await tools.callbacks.call('onStepEnd', record, run);
  run.planner?.observe(run.step, run.elapsedSeconds);
  await nextTick();
}

/** Trains until the plan is done, a callback asks to stop, or an interrupt; throws on failure. */
export async function trainEpochs(
  run: TrainRun,
  source: DataSource,
  optimizer: EngineOptimizer,
  callbacks: CallbackList
): Promise<void> {
  const variables = run.task.trainableVariables();
  const decayed = run.options.weightDecay > 0 ? decayedVariables(variables) : [];
  const gradients = new StepGradientEngine(run.task, variables, run.options.compile, {
    optimizer,
    clipNorm: run.options.gradientClipNorm,
    weightDecay: run.options.weightDecay,
    decayed
  });
  run.stepMode = gradients.mode;
  const tools: StepTools = { source, optimizer, callbacks, variables, decayed, gradients };
  try {
    await trainAllEpochs(run, tools);
  } finally {
    gradients.dispose();
  }
}

async function trainAllEpochs(run: TrainRun, tools: StepTools): Promise<void> {
  const { source, callbacks } = tools;
  const spe = run.stepsPerEpoch;
  for (;;) {
    const epoch = Math.floor(run.step / spe);
    const epochStarted = Date.now();
    const order = permutation(source.size, deriveSeed(run.options.seed, epoch));
    for (let b = run.step - epoch * spe; b < spe; b++) {
      if (run.interrupted) {
        const resume = run.runId
          ? ` Resume with train(task, data, { resume: '${run.runId}' }).`
          : '';
        run.requestStop(
          `Interrupted at step ${run.step}; the encoder keeps what it learned so far.${resume}`
        );
      }
      // An interrupt ends mid-epoch with no epoch summary; a budget summarises the part it did.
      if (run.stopMessage !== undefined) {
        return;
      }
      if (run.planDone()) {
        break;
      }
      await takeStep(run, tools, order, epoch, b);
    }
    const done = run.records.filter(r => r.epoch === epoch + 1);
    if (done.length === 0) {
      return;
    }
    const summary: EpochSummary = {
      epoch: epoch + 1,
      meanLoss: done.reduce((sum, r) => sum + r.loss, 0) / done.length,
      seconds: (Date.now() - epochStarted) / 1000
    };
    run.epochs.push(summary);
    const endStarted = Date.now();
    await callbacks.call('onEpochEnd', summary, run);
    run.planner?.epochEnd((Date.now() - endStarted) / 1000);
    if (run.stopMessage !== undefined || run.planDone()) {
      return;
    }
  }
}
