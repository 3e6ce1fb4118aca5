import { inspect } from 'node:util';
import { backendInfo, tf, type BackendInfo, type Scalar, type Tensor4D } from '../backend/tf';
import { datasetSize, imageShape, type ImageDataset } from '../data/dataset';
import {
  TrainingDashboard,
  dashboardText,
  type DashboardState,
  type RunStatus
} from '../render/dashboard';
import type { Displayable, MimeBundle } from '../render/mime';
import type { LossPoint } from '../render/specs';
import type { PretextTask } from '../tasks/task';
import { PretextError, check } from '../util/errors';
import { deriveSeed, permutation } from '../util/random';
import { resolveTrainOptions, type ResolvedTrainOptions, type TrainOptions } from './options';

export interface EpochSummary {
  epoch: number;
  meanLoss: number;
  seconds: number;
}

/** What a training call produced: the trained task, its curve, and how it ended. */
export class TrainResult implements Displayable {
  constructor(
    readonly task: PretextTask,
    readonly status: RunStatus,
    readonly history: LossPoint[],
    readonly epochs: EpochSummary[],
    readonly options: ResolvedTrainOptions,
    readonly dataset: { name: string; size: number; shape: [number, number, number] },
    readonly environment: BackendInfo,
    readonly seconds: number,
    readonly message?: string
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
      metrics: Number.isFinite(this.finalLoss) ? { loss: this.finalLoss } : {},
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

/** Waits for the event loop, so display messages and interrupts get through between steps. */
const nextTick = () => new Promise<void>(resolve => setImmediate(resolve));

function checkTrainData(
  task: PretextTask,
  data: ImageDataset,
  options: ResolvedTrainOptions
): void {
  check(
    data && data.images instanceof tf.Tensor && data.images.rank === 4,
    'train() expects an image dataset whose images are a 4-D tensor [count, height, width, channels].',
    'Pass a dataset from loadMnist()/splitForSsl(), e.g. train(task, split.unlabeled).'
  );
  check(
    data.labels === undefined,
    `train() got the labeled dataset '${data.name}'; pretext training must not see labels.`,
    'Pass the unlabeled view instead: split.unlabeled, or unlabeled(data).'
  );
  const size = datasetSize(data);
  check(size > 0, `Dataset '${data.name}' is empty.`, 'Load some images before training.');
  check(
    options.batchSize <= size,
    `batchSize ${options.batchSize} is larger than the ${size} images in '${data.name}'.`,
    `Use batchSize ${Math.max(2, 2 ** Math.floor(Math.log2(size)))} or less, or load more data.`
  );
  const expected = task.encoder.inputs[0].shape.slice(1);
  const actual = imageShape(data);
  check(
    expected.every((dim, i) => dim === null || dim === actual[i]),
    `Images in '${data.name}' are ${actual.join('x')} but the encoder expects ${expected.join('x')}.`,
    `Build the encoder with inputShape [${actual.join(', ')}], or resize the data to ${expected.join('x')}.`
  );
}

/**
 * Optimises a pretext task on unlabeled images with a live dashboard. Steps use seeded
 * shuffles and seeded augmentations, so a run repeats exactly with the same seed. A kernel
 * interrupt stops training at the next step boundary and returns what was learned so far.
 */
export async function train(
  task: PretextTask,
  data: ImageDataset,
  options: TrainOptions = {}
): Promise<TrainResult> {
  const opts = resolveTrainOptions(options);
  checkTrainData(task, data, opts);
  const size = datasetSize(data);
  const stepsPerEpoch = Math.floor(size / opts.batchSize);
  const totalSteps = stepsPerEpoch * opts.epochs;
  const variables = task.trainableVariables();
  const optimizer = tf.train.adam(opts.learningRate);
  const dashboard = opts.display ? new TrainingDashboard() : null;
  const history: LossPoint[] = [];
  const epochs: EpochSummary[] = [];
  const started = Date.now();
  let status: RunStatus = 'running';
  let message: string | undefined;
  let interrupted = false;
  const onInterrupt = () => {
    interrupted = true;
  };
  process.on('SIGINT', onInterrupt);

  const state = (): DashboardState => {
    const elapsedSec = (Date.now() - started) / 1000;
    const last = history.at(-1);
    return {
      title: opts.title ?? `${task.method} on ${data.name}`,
      status,
      step: history.length,
      totalSteps,
      epoch: epochs.length + (status === 'running' ? 1 : 0),
      totalEpochs: opts.epochs,
      elapsedSec,
      samplesPerSec: elapsedSec > 0 ? (history.length * opts.batchSize) / elapsedSec : undefined,
      metrics: last ? { loss: last.loss } : {},
      history,
      message
    };
  };

  try {
    dashboard?.update(state(), true);
    training: for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const epochStarted = Date.now();
      const order = permutation(size, deriveSeed(opts.seed, epoch));
      let lossSum = 0;
      for (let b = 0; b < stepsPerEpoch; b++) {
        if (interrupted) {
          status = 'stopped';
          message = `Interrupted at step ${history.length}; the encoder keeps what it learned so far.`;
          break training;
        }
        const step = history.length;
        const indices = order.subarray(b * opts.batchSize, (b + 1) * opts.batchSize);
        const cost = tf.tidy(() => {
          const batch = tf.gather(data.images, tf.tensor1d(indices, 'int32')) as Tensor4D;
          const value = optimizer.minimize(
            () => task.loss(batch, deriveSeed(opts.seed, epoch, b)),
            true,
            variables
          );
          return value as Scalar;
        });
        const loss = (await cost.data())[0];
        cost.dispose();
        if (!Number.isFinite(loss)) {
          status = 'failed';
          message = `Loss became ${loss} at step ${step + 1}. Likely cause: learning rate too high for this batch size. Fix: lower learningRate (e.g. ${opts.learningRate / 10}) and train again.`;
          throw new PretextError(
            `Training stopped: the loss became ${loss} at step ${step + 1} (epoch ${epoch + 1}).`,
            `Lower learningRate (e.g. ${opts.learningRate / 10}) or raise the temperature, then train again.`
          );
        }
        history.push({ step: step + 1, epoch: epoch + 1, loss });
        lossSum += loss;
        dashboard?.update(state());
        await nextTick();
      }
      epochs.push({
        epoch: epoch + 1,
        meanLoss: lossSum / stepsPerEpoch,
        seconds: (Date.now() - epochStarted) / 1000
      });
    }
    if (status === 'running') status = 'done';
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    optimizer.dispose();
    if (status === 'running') status = 'failed';
    if (dashboard) await dashboard.finish(state());
  }
  return new TrainResult(
    task,
    status,
    history,
    epochs,
    opts,
    { name: data.name, size, shape: imageShape(data) },
    backendInfo(),
    (Date.now() - started) / 1000,
    message
  );
}
