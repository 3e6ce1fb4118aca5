/**
 * Supervised training of an encoder + linear classifier on a labeled set: the fine-tuning
 * protocol (start from pretrained weights) and the from-scratch baseline (fresh weights of the
 * same architecture), with the same augmentations and epoch budget, so the two compare fairly.
 */
import {
  tf,
  type LayersModel,
  type Scalar,
  type Tensor,
  type Tensor2D,
  type Variable
} from '../backend/tf';
import type { InputAugment } from '../augment/augment';
import { modelOutputDim } from '../models/shape';
import { modelVariables } from '../models/variables';
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
}

/** A copy of `encoder`'s architecture: fresh initial weights, or `encoder`'s own with copyWeights. */
export async function cloneEncoder(
  encoder: LayersModel,
  copyWeights: boolean
): Promise<LayersModel> {
  const clone = await tf.models.modelFromJSON({
    modelTopology: encoder.toJSON(null, false) as never
  });
  if (copyWeights) clone.setWeights(encoder.getWeights());
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
  check(
    labels.length === inputs.shape[0],
    `Got ${labels.length} labels for ${inputs.shape[0]} examples.`,
    'Pass one label per example.'
  );
  const head = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [modelOutputDim(encoder)],
        units: numClasses,
        kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, 99) })
      })
    ]
  });
  const variables: Variable[] = [...modelVariables(encoder), ...modelVariables(head)];
  const optimizer = tf.train.adam(learningRate);
  const n = inputs.shape[0];
  const batch = Math.min(batchSize, n);
  const epochs = supervisedEpochs(n, batch, options.epochs, minSteps);
  const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), numClasses));
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = permutation(n, deriveSeed(seed, epoch));
      for (let start = 0; start < n; start += batch) {
        const rows = tf.tensor1d(order.subarray(start, Math.min(start + batch, n)), 'int32');
        const cost = tf.tidy(() => {
          const x = tf.gather(inputs, rows);
          const y = tf.gather(oneHot, rows);
          const seen = augment ? augment(x, deriveSeed(seed, epoch, start)) : x;
          return optimizer.minimize(
            () => {
              const features = encoder.apply(seen, { training: true }) as Tensor;
              const logits = head.apply(features, { training: true }) as Tensor2D;
              return tf.losses.softmaxCrossEntropy(y, logits) as Scalar;
            },
            true,
            variables
          ) as Scalar;
        });
        rows.dispose();
        cost.dispose();
      }
      // Let interrupts and display messages through between epochs.
      await new Promise<void>(resolve => setImmediate(resolve));
    }
  } finally {
    oneHot.dispose();
    optimizer.dispose();
  }
  return head;
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
    for (let i = 0; i < size; i++) if (predicted[i] === labels[start + i]) correct++;
  }
  return correct / n;
}
