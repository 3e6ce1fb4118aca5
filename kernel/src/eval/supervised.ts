/**
 * Supervised training of an encoder + linear classifier on a labeled set: the fine-tuning
 * protocol (start from pretrained weights) and the from-scratch baseline (fresh weights of the
 * same architecture), with the same augmentations and epoch budget, so the two compare fairly.
 */
import { tf, type LayersModel, type Scalar, type Tensor, type Tensor2D } from '../backend/tf';
import type { InputAugment } from '../augment/augment';
import { modelOutputDim } from '../models/shape';
import { embed } from '../features/embed';
import { modelVariables } from '../models/variables';
import { createOptimizer } from '../train/optimizers';
import { check } from '../util/errors';
import { deriveSeed, permutation } from '../util/random';

export interface SupervisedOptions {
  epochs: number;
  /**
   * At least this many optimiser steps, adding epochs when the set is small (default 0). With
   * 1% of the labels an epoch is one or two steps; a fixed epoch count would barely train.
   */
  minSteps?: number;
  batchSize?: number;
  learningRate?: number;
  /** Applied to every training batch (default: none). */
  augment?: InputAugment;
  seed?: number;
  /**
   * LP-FT: the first this many steps train the head alone on the frozen encoder (default 0),
   * so fine-tuning starts from a fitted head instead of sending a random head's large
   * gradients into the pretrained weights. Counted within the step budget.
   */
  probeSteps?: number;
  /**
   * Adam rate of the head during the probe phase (default learningRate). Raw frozen features
   * need a faster head than joint training does: at 1e-3 a 100-step probe phase underfits.
   */
  probeLearningRate?: number;
  /**
   * Standardise the encoder's features before the head, with the mean and std of the
   * training inputs' features at the start (fixed, inside the returned head) (default false).
   * Pretrained features are small and unevenly scaled; a head on raw features at Adam 1e-3
   * learns far more slowly than the linear probe, which standardises.
   */
  standardize?: boolean;
  /** Adam rate of the encoder's weights (default learningRate); lower keeps more of the pretraining. */
  encoderLearningRate?: number;
  /** Linear warmup of both rates over this many steps after the probe phase (default 0). */
  warmupSteps?: number;
  /** Cosine decay of both rates to 0 over the steps after warmup (default false: constant). */
  cosine?: boolean;
}

/** The fine-tuning settings beyond the shared epochs, batch size and head learning rate. */
export type FineTuneRecipe = Pick<
  SupervisedOptions,
  | 'probeSteps'
  | 'probeLearningRate'
  | 'standardize'
  | 'encoderLearningRate'
  | 'warmupSteps'
  | 'cosine'
>;

/** The fine-tuning recipe as JSON, for captions and model cards (settings that differ from plain). */
export function describeRecipe(options: FineTuneRecipe): Record<string, number | boolean> {
  const { probeSteps = 0, probeLearningRate, encoderLearningRate } = options;
  const { warmupSteps = 0, cosine = false, standardize = false } = options;
  return {
    ...(standardize ? { standardize } : {}),
    ...(probeSteps > 0 ? { probeSteps } : {}),
    ...(probeSteps > 0 && probeLearningRate !== undefined ? { probeLearningRate } : {}),
    ...(encoderLearningRate !== undefined ? { encoderLearningRate } : {}),
    ...(warmupSteps > 0 ? { warmupSteps } : {}),
    ...(cosine ? { cosine } : {})
  };
}

/** Rate multiplier at fine-tuning step `s` of `total`: linear warmup, then constant or cosine. */
export function rateFactor(s: number, total: number, warmupSteps: number, cosine: boolean): number {
  if (s < warmupSteps) {
    return (s + 1) / warmupSteps;
  }
  if (!cosine) {
    return 1;
  }
  const span = Math.max(1, total - warmupSteps);
  return 0.5 * (1 + Math.cos((Math.PI * Math.min(s - warmupSteps, span)) / span));
}

/** A copy of `encoder`'s architecture: fresh initial weights, or `encoder`'s own with copyWeights. */
export async function cloneEncoder(
  encoder: LayersModel,
  copyWeights: boolean
): Promise<LayersModel> {
  const clone = await tf.models.modelFromJSON({
    modelTopology: encoder.toJSON(null, false) as never
  });
  if (copyWeights) {
    clone.setWeights(encoder.getWeights());
  }
  return clone;
}

/**
 * Trains `encoder` (in place) and a new linear head with softmax cross-entropy; returns the
 * head. The caller owns and disposes both.
 */
export async function trainClassifier(
  encoder: LayersModel,
  inputs: Tensor,
  labels: Int32Array,
  numClasses: number,
  options: SupervisedOptions
): Promise<LayersModel> {
  const { batchSize = 64, learningRate = 1e-3, augment, seed = 0, minSteps = 0 } = options;
  const { probeSteps = 0, warmupSteps = 0, cosine = false } = options;
  const encoderLearningRate = options.encoderLearningRate ?? learningRate;
  const probeLearningRate = options.probeLearningRate ?? learningRate;
  check(
    labels.length === inputs.shape[0],
    `Got ${labels.length} labels for ${inputs.shape[0]} examples.`,
    'Pass one label per example.'
  );
  check(
    [probeSteps, warmupSteps].every(v => Number.isInteger(v) && v >= 0) &&
      encoderLearningRate >= 0 &&
      learningRate > 0 &&
      probeLearningRate > 0,
    `Fine-tuning recipe needs integer probeSteps and warmupSteps >= 0 and rates > 0 (encoder rate >= 0), got ${JSON.stringify(describeRecipe(options))}, learningRate ${learningRate}.`,
    'Use e.g. { probeSteps: 100, encoderLearningRate: 1e-4, warmupSteps: 50 }.'
  );
  const dim = modelOutputDim(encoder);
  const head = tf.sequential();
  if (options.standardize) {
    const [layer, initial] = standardizer(encoder, inputs, dim);
    head.add(layer);
    // The built layer holds its own copies of the initial weights.
    tf.dispose(initial);
  }
  head.add(
    tf.layers.dense({
      inputShape: [dim],
      units: numClasses,
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 99) })
    })
  );
  const encoderVariables = modelVariables(encoder);
  const headVariables = modelVariables(head);
  // Two optimisers, so the encoder can move more slowly than the new head; the engine's, so
  // Adam runs as TF's fused kernel where it can (train/optimizers.ts).
  const headOptimizer = createOptimizer(
    'adam',
    probeSteps > 0 ? probeLearningRate : learningRate,
    0
  );
  const encoderOptimizer = createOptimizer('adam', encoderLearningRate, 0);
  const n = inputs.shape[0];
  const batch = Math.min(batchSize, n);
  const epochs = supervisedEpochs(n, batch, options.epochs, minSteps);
  const total = epochs * Math.ceil(n / batch);
  const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses));
  let step = 0;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = permutation(n, deriveSeed(seed, epoch));
      for (let start = 0; start < n; start += batch) {
        const probing = step < probeSteps;
        if (!probing) {
          const f = rateFactor(step - probeSteps, total - probeSteps, warmupSteps, cosine);
          headOptimizer.setLearningRate(learningRate * f);
          encoderOptimizer.setLearningRate(encoderLearningRate * f);
        }
        const rows = tf.tensor1d(order.subarray(start, Math.min(start + batch, n)), 'int32');
        tf.tidy(() => {
          const x = tf.gather(inputs, rows);
          const y = tf.gather(oneHot, rows);
          const seen = augment ? augment(x, deriveSeed(seed, epoch, start)) : x;
          const tuned = probing ? headVariables : [...encoderVariables, ...headVariables];
          const { grads } = tf.variableGrads(() => {
            const features = encoder.apply(seen, { training: !probing }) as Tensor;
            const logits = head.apply(features, { training: true }) as Tensor2D;
            return tf.losses.softmaxCrossEntropy(y, logits) as Scalar;
          }, tuned);
          headOptimizer.apply(headVariables, grads);
          if (!probing && encoderLearningRate > 0) {
            encoderOptimizer.apply(encoderVariables, grads);
          }
        });
        rows.dispose();
        step++;
      }
      // Let interrupts and display messages through between epochs.
      await new Promise<void>(resolve => setImmediate(resolve));
    }
  } finally {
    oneHot.dispose();
    headOptimizer.dispose();
    encoderOptimizer.dispose();
  }
  return head;
}

/** A frozen dense layer computing (features - mean) / std of `encoder`'s features of `inputs`. */
function standardizer(
  encoder: LayersModel,
  inputs: Tensor,
  dim: number
): [ReturnType<typeof tf.layers.dense>, Tensor[]] {
  const features = embed(encoder, inputs);
  const [kernel, bias] = tf.tidy(() => {
    const { mean, variance } = tf.moments(features, 0);
    const inverse = tf.div(1, tf.sqrt(tf.add(variance, 1e-6)));
    return [tf.diag(inverse), tf.neg(tf.mul(mean, inverse))];
  });
  features.dispose();
  const layer = tf.layers.dense({
    inputShape: [dim],
    units: dim,
    trainable: false,
    weights: [kernel, bias]
  });
  return [layer, [kernel, bias]];
}

/** Epochs that give at least `minSteps` steps of `batch` over `n` examples (and at least `epochs`). */
export function supervisedEpochs(
  n: number,
  batch: number,
  epochs: number,
  minSteps: number
): number {
  return Math.max(epochs, Math.ceil(minSteps / Math.ceil(n / Math.min(batch, n))));
}

/** Test accuracy of encoder + head, in inference mode and batches. */
export function classifierAccuracy(
  encoder: LayersModel,
  head: LayersModel,
  inputs: Tensor,
  labels: Int32Array
): number {
  let correct = 0;
  const n = inputs.shape[0];
  const rest = inputs.shape.slice(1);
  for (let start = 0; start < n; start += 512) {
    const size = Math.min(512, n - start);
    const predicted = tf.tidy(() => {
      const x = tf.slice(inputs, [start, ...rest.map(() => 0)], [size, ...rest]);
      return (head.predict(encoder.predict(x) as Tensor) as Tensor).argMax(-1).dataSync();
    });
    for (let i = 0; i < size; i++) {
      if (predicted[i] === labels[start + i]) {
        correct++;
      }
    }
  }
  return correct / n;
}
