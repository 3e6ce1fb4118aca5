/**
 * SimCLR (Chen et al., 2020): two random views of each image, one encoder, a projection MLP,
 * and the NT-Xent contrastive loss that pulls the views of an image together and pushes the
 * other images in the batch away. Nothing in the objective is image-specific: given an encoder
 * and an augmentation for another modality (e.g. conv1dEncoder + seriesAugment for sensor
 * windows) it is the same method, which is how 'series-contrastive' is built.
 */
import type { LayersModel } from '../backend/tf';
import { describeAugment, type InputAugment } from '../augment/augment';
import { ntXentLoss } from '../losses/nt-xent';
import { projectionHead } from '../models/heads';
import { checkBatchShape, modelOutputDim } from '../models/shape';
import { parseOptions, inputIs, says, z } from '../options/schema';
import { check } from '../util/errors';
import { checkEncoder, inputViewAugment } from './common';
import { jointEmbeddingTask } from './joint-embedding';
import {
  augmentOption,
  projectionOptions,
  seedOption,
  taskOptions,
  temperatureOption
} from './options';
import type { PretextTask } from './task';

export interface SimclrOptions {
  /** The encoder being trained; stays with the caller (dispose() leaves it alone). */
  encoder: LayersModel;
  /**
   * View generator. Default: simclrAugment() (tuned for small grayscale digits) for image
   * encoders, seriesAugment() for time-series encoders ([steps, channels] inputs).
   */
  augment?: InputAugment;
  /** Projection output size (default 64). */
  projectionDim?: number;
  /** Projection hidden size (default: the encoder's feature size). */
  hiddenDim?: number;
  /** Batch norm in the projection head's hidden layer (default false). */
  headBatchNorm?: boolean;
  /**
   * NT-Xent temperature (default 0.1). Measured on MNIST-10k (8,000-image pool, batch 256,
   * 372 steps, 3 seeds, linear probe at 1 / 10 / 100% labels, bench/quality/README.md): 0.1
   * with Adam 2e-3 scored 86.6 / 95.2 / 97.4% against 85.3 / 94.6 / 97.0% for the earlier
   * 0.2 with 1e-3; 0.5 (the paper's value, for batches of thousands) learns slowest here.
   */
  temperature?: number;
  /** Seeds the projection head's initial weights. */
  seed?: number;
}

export interface SimclrTask extends PretextTask {
  /** 'simclr', or the name of a method built on it (e.g. 'series-contrastive'). */
  readonly method: string;
  /** The projection MLP; discarded after pretraining. */
  readonly head: LayersModel;
  readonly augment: InputAugment;
  readonly temperature: number;
}

export const SIMCLR_DEFAULTS = { projectionDim: 64, temperature: 0.1 } as const;

/**
 * What px.train uses for SimCLR when the caller leaves it out: Adam 2e-3 (measured with the
 * temperature above; 1e-3 is px.train's general default).
 */
export const SIMCLR_TRAIN_DEFAULTS = { learningRate: 2e-3 } as const;

const simclrOptions = inputIs<SimclrOptions>()(
  taskOptions(
    'simclr',
    'simclr({ encoder: convEncoder({ inputShape: [28, 28, 1] }) })',
    encoder => checkEncoder('simclr', encoder),
    {
      augment: augmentOption<InputAugment>(),
      ...projectionOptions('simclr', SIMCLR_DEFAULTS.projectionDim),
      headBatchNorm: z
        .boolean(
          says(
            v => `simclr: headBatchNorm must be true or false, got ${String(v)}.`,
            'Pass headBatchNorm: true, or leave it out.'
          )
        )
        .default(false),
      temperature: temperatureOption('simclr', SIMCLR_DEFAULTS.temperature),
      seed: seedOption('simclr')
    }
  )
);

export function simclr(options: SimclrOptions): SimclrTask {
  return simclrNamed(options, 'simclr');
}

/**
 * SimCLR under another method name, for methods that are SimCLR with other defaults
 * ('series-contrastive'): runs, configs and the guide then say which one was trained.
 */
export function simclrNamed(options: SimclrOptions, method: string): SimclrTask {
  const { encoder, temperature, projectionDim, ...given } = parseOptions(simclrOptions, options);
  const featureDim = modelOutputDim(encoder);
  const augment = inputViewAugment('simclr', given.augment, encoder);
  const hiddenDim = given.hiddenDim ?? featureDim;
  const head = projectionHead(featureDim, {
    hidden: hiddenDim,
    output: projectionDim,
    seed: given.seed,
    batchNorm: given.headBatchNorm,
    name: `${encoder.name || 'encoder'}_simclr_head`
  });
  return jointEmbeddingTask({
    method,
    label: 'SimCLR',
    rebuild: 'simclr({ encoder })',
    encoder,
    augment,
    head,
    // Checkpoints of SimCLR runs name trainable variables the engine's way; keep them loading.
    state: 'trainable',
    checkBatch: batch => {
      checkBatchShape(encoder, batch);
      check(
        batch.shape[0] >= 2,
        `SimCLR needs at least 2 images per batch (got ${batch.shape[0]}): the other images are the negatives.`,
        'Use batchSize 2 or more (128-512 is typical).'
      );
    },
    loss: (z1, z2) => ntXentLoss(z1, z2, temperature),
    config: {
      temperature,
      featureDim,
      hiddenDim,
      projectionDim,
      headBatchNorm: given.headBatchNorm,
      encoder: encoder.name,
      augment: describeAugment(augment)
    },
    fields: { head, augment, temperature },
    trainDefaults: SIMCLR_TRAIN_DEFAULTS
  });
}
