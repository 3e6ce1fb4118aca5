/**
 * Rotation prediction (Gidaris et al., 2018): show each image at 0, 90, 180 and 270 degrees and
 * train a 4-way classifier to tell which. The classic sanity baseline: cheap, no augmentation
 * tuning, and it learns shape cues; weaker than contrastive methods on most data.
 */
import {
  tf,
  type LayersModel,
  type Scalar,
  type Tensor,
  type Tensor2D,
  type Tensor4D
} from '../backend/tf';
import { rotationLoss } from '../losses/rotation';
import { linearHead } from '../models/heads';
import { checkBatchShape, modelInputShape, modelOutputDim } from '../models/shape';
import { inputIs, parseOptions } from '../options/schema';
import { check } from '../util/errors';
import { deriveSeed } from '../util/random';
import { checkImageEncoder } from './common';
import { defineTask } from './define';
import { seedOption, taskOptions } from './options';
import type { PretextTask } from './task';

/** Rotates a batch [B, H, W, C] by k * 90 degrees counter-clockwise (square images). */
export function rotate90(images: Tensor4D, k: number): Tensor4D {
  return tf.tidy(() => {
    let x = images;
    for (let i = 0; i < ((k % 4) + 4) % 4; i++) {
      x = tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 1);
    }
    return x.clone();
  });
}

export interface RotationOptions {
  encoder: LayersModel;
  seed?: number;
}

const rotationOptions = inputIs<RotationOptions>()(
  taskOptions(
    'rotation',
    'rotation({ encoder })',
    encoder => checkImageEncoder('rotation', encoder),
    {
      seed: seedOption('rotation')
    }
  )
);

export function rotation(options: RotationOptions): PretextTask {
  const { encoder, seed } = parseOptions(rotationOptions, options);
  const [h, w] = modelInputShape(encoder);
  check(
    h === w,
    `rotation: images must be square to rotate by 90 degrees, but the encoder takes ${h}x${w}.`,
    'Crop or resize the images to a square, or pick another pretext task.'
  );
  const featureDim = modelOutputDim(encoder);
  const classifier = linearHead(featureDim, 4, {
    name: `${encoder.name}_rotation_head`,
    seed: seed === undefined ? undefined : deriveSeed(seed, 4)
  });
  // The four rotations in prepare (eager); the objective is the classifier and its loss.
  const stages = {
    prepare: (batch: Tensor): Tensor[] => {
      checkBatchShape(encoder, batch);
      const images = batch as Tensor4D;
      return tf.tidy(() => [
        tf.concat(
          [0, 1, 2, 3].map(k => rotate90(images, k)),
          0
        )
      ]);
    },
    objective: ([rotated]: Tensor[]): Scalar =>
      tf.tidy(() => {
        const logits = classifier.apply(encoder.apply(rotated, { training: true }), {
          training: true
        }) as Tensor2D;
        return rotationLoss(logits);
      })
  };
  return defineTask({
    method: 'rotation',
    encoder,
    heads: { classifier },
    stages,
    loss: batch => tf.tidy(() => stages.objective(stages.prepare(batch))),
    config: { classes: 4, featureDim, encoder: encoder.name }
  });
}
