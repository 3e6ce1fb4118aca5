/**
 * Masked-image reconstruction (inpainting): hide random square patches, encode what is left,
 * and reconstruct the whole image from the encoder's features. The loss counts only the hidden
 * pixels, so copying the visible ones earns nothing; the encoder must model image structure.
 */
import { tf, type LayersModel, type Scalar, type Tensor, type Tensor4D } from '../backend/tf';
import { session } from '../guide/session';
import { checkBatchShape, modelInputShape, modelOutputDim } from '../models/shape';
import { modelVariables } from '../models/variables';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed } from '../util/random';
import { checkImageEncoder, namedVariables } from './common';
import { maskedMse } from './losses';
import type { PretextTask } from './task';

export interface MaskedImageOptions {
  encoder: LayersModel;
  /** Side of the square patches that are hidden together (default 4 px). */
  patchSize?: number;
  /** Fraction of patches hidden per image (default 0.5). */
  maskRatio?: number;
  /** Hidden width of the default decoder (default 256). */
  decoderHidden?: number;
  seed?: number;
}

/**
 * Per-image patch masks, 1 = hidden: [batch, height, width, 1]. Each image hides
 * round(maskRatio * patches) patches, chosen by a seeded random ranking.
 */
export function patchMask(
  batch: number,
  height: number,
  width: number,
  patchSize: number,
  maskRatio: number,
  seed: number
): Tensor4D {
  return tf.tidy(() => {
    const [rows, cols] = [height / patchSize, width / patchSize];
    const patches = rows * cols;
    const hidden = Math.max(1, Math.round(maskRatio * patches));
    const scores = tf.randomUniform([batch, patches], 0, 1, 'float32', seed);
    // The k-th largest score per image is the threshold: exactly `hidden` patches are at or above it.
    const threshold = tf.topk(scores, hidden).values.slice([0, hidden - 1], [batch, 1]);
    const grid = tf.greaterEqual(scores, threshold).toFloat().reshape([batch, rows, cols, 1]);
    return tf.image.resizeNearestNeighbor(grid as Tensor4D, [height, width]);
  });
}

export interface MaskedImageTask extends PretextTask {
  /** Features back to pixels; discarded after pretraining. */
  readonly decoder: LayersModel;
}

export function maskedImage(options: MaskedImageOptions): MaskedImageTask {
  check(
    typeof options === 'object' && options !== null,
    'maskedImage needs an options object with an encoder.',
    'Call maskedImage({ encoder }).'
  );
  checkOptionNames('maskedImage', options, [
    'encoder',
    'patchSize',
    'maskRatio',
    'decoderHidden',
    'seed'
  ]);
  const { encoder, patchSize = 4, maskRatio = 0.5, decoderHidden = 256, seed } = options;
  checkImageEncoder('maskedImage', encoder);
  const [height, width, channels] = modelInputShape(encoder) as number[];
  check(
    Number.isInteger(patchSize) &&
      patchSize > 0 &&
      height % patchSize === 0 &&
      width % patchSize === 0,
    `maskedImage: patchSize ${patchSize} does not divide the ${height}x${width} images.`,
    `Use a patch size that divides both sides, e.g. ${[7, 4, 2].find(p => height % p === 0 && width % p === 0) ?? 1}.`
  );
  check(
    typeof maskRatio === 'number' && maskRatio > 0 && maskRatio < 1,
    `maskedImage: maskRatio must be between 0 and 1, got ${String(maskRatio)}.`,
    'Use e.g. maskRatio: 0.5.'
  );
  const init = (i: number) =>
    tf.initializers.glorotUniform(seed === undefined ? {} : { seed: deriveSeed(seed, i) });
  // A small dense decoder from the feature vector back to pixels, in [0, 1].
  const decoder = tf.sequential({
    name: `${encoder.name}_mim_decoder`,
    layers: [
      tf.layers.dense({
        inputShape: [modelOutputDim(encoder)],
        units: decoderHidden,
        activation: 'relu',
        kernelInitializer: init(1)
      }),
      tf.layers.dense({
        units: height * width * channels,
        activation: 'sigmoid',
        kernelInitializer: init(2)
      }),
      tf.layers.reshape({ targetShape: [height, width, channels] })
    ]
  });
  let disposed = false;

  const loss = (batch: Tensor, stepSeed: number): Scalar => {
    check(
      !disposed,
      'This masked-image task has been disposed.',
      'Create a new task with maskedImage({ encoder }).'
    );
    checkBatchShape(encoder, batch);
    const images = batch as Tensor4D;
    return tf.tidy(() => {
      const mask = patchMask(
        images.shape[0],
        height,
        width,
        patchSize,
        maskRatio,
        deriveSeed(stepSeed, 1)
      );
      const visible = tf.mul(images, tf.sub(1, mask));
      const reconstruction = decoder.apply(encoder.apply(visible, { training: true }), {
        training: true
      }) as Tensor4D;
      return maskedMse(reconstruction, images, mask);
    });
  };

  session.recordTask('masked-image');
  return {
    method: 'masked-image',
    encoder,
    decoder,
    trainableVariables: () => [...modelVariables(encoder), ...modelVariables(decoder)],
    loss,
    stateVariables: () => namedVariables({ encoder, decoder }),
    config: () => ({
      method: 'masked-image',
      patchSize,
      maskRatio,
      decoderHidden,
      encoder: encoder.name
    }),
    dispose: () => {
      if (!disposed) decoder.dispose();
      disposed = true;
    }
  };
}
