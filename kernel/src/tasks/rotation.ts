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
import { session } from '../guide/session';
import { checkBatchShape, modelInputShape, modelOutputDim } from '../models/shape';
import { modelVariables } from '../models/variables';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed } from '../util/random';
import { checkImageEncoder, namedVariables } from './common';
import type { PretextTask } from './task';

/** Rotates a batch [B, H, W, C] by k * 90 degrees counter-clockwise (square images). */
export function rotate90(images: Tensor4D, k: number): Tensor4D {
  return tf.tidy(() => {
    let x = images;
    for (let i = 0; i < ((k % 4) + 4) % 4; i++) x = tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 1);
    return x.clone();
  });
}

export interface RotationOptions {
  encoder: LayersModel;
  seed?: number;
}

export function rotation(options: RotationOptions): PretextTask {
  check(
    typeof options === 'object' && options !== null,
    'rotation needs an options object with an encoder.',
    'Call rotation({ encoder }).'
  );
  checkOptionNames('rotation', options, ['encoder', 'seed']);
  const { encoder, seed } = options;
  checkImageEncoder('rotation', encoder);
  const [h, w] = modelInputShape(encoder);
  check(
    h === w,
    `rotation: images must be square to rotate by 90 degrees, but the encoder takes ${h}x${w}.`,
    'Crop or resize the images to a square, or pick another pretext task.'
  );
  const featureDim = modelOutputDim(encoder);
  const classifier = tf.sequential({
    name: `${encoder.name}_rotation_head`,
    layers: [
      tf.layers.dense({
        inputShape: [featureDim],
        units: 4,
        kernelInitializer: tf.initializers.glorotUniform(
          seed === undefined ? {} : { seed: deriveSeed(seed, 4) }
        )
      })
    ]
  });
  let disposed = false;

  const loss = (batch: Tensor): Scalar => {
    check(
      !disposed,
      'This rotation task has been disposed.',
      'Create a new task with rotation({ encoder }).'
    );
    checkBatchShape(encoder, batch);
    const images = batch as Tensor4D;
    const n = images.shape[0];
    return tf.tidy(() => {
      const rotated = tf.concat(
        [0, 1, 2, 3].map(k => rotate90(images, k)),
        0
      );
      const labels = tf.oneHot(
        tf.tensor1d(
          Int32Array.from({ length: 4 * n }, (_, i) => Math.floor(i / n)),
          'int32'
        ),
        4
      );
      const logits = classifier.apply(encoder.apply(rotated, { training: true }), {
        training: true
      }) as Tensor2D;
      return tf.losses.softmaxCrossEntropy(labels, logits) as Scalar;
    });
  };

  session.recordTask('rotation');
  return {
    method: 'rotation',
    encoder,
    trainableVariables: () => [...modelVariables(encoder), ...modelVariables(classifier)],
    loss,
    stateVariables: () => namedVariables({ encoder, classifier }),
    config: () => ({ method: 'rotation', classes: 4, featureDim, encoder: encoder.name }),
    dispose: () => {
      if (!disposed) classifier.dispose();
      disposed = true;
    }
  };
}
