/**
 * Masked-image reconstruction (inpainting): hide random square patches, encode what is left,
 * and reconstruct the whole image from the encoder's features. The loss counts only the hidden
 * pixels, so copying the visible ones earns nothing; the encoder must model image structure.
 */
import { tf, type LayersModel, type Tensor4D } from '../backend/tf';
import { reconstructionHead } from '../models/heads';
import { checkBatchShape, modelInputShape, modelOutputDim } from '../models/shape';
import { positiveInteger } from '../options/fields';
import { inputIs, parseOptions, z } from '../options/schema';
import { check } from '../util/errors';
import { checkImageEncoder } from './common';
import { maskedReconstructionTask } from './masked-reconstruction';
import { ratioOption, seedOption, taskOptions } from './options';
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

const maskedImageOptions = inputIs<MaskedImageOptions>()(
  taskOptions(
    'maskedImage',
    'maskedImage({ encoder })',
    encoder => checkImageEncoder('maskedImage', encoder),
    {
      // Whether it divides the images is checked against the encoder below.
      patchSize: z.custom<number>().default(4),
      maskRatio: ratioOption('maskedImage', 'maskRatio', 0.5),
      decoderHidden: positiveInteger(
        'maskedImage: decoderHidden',
        'Use e.g. decoderHidden: 256.'
      ).default(256),
      seed: seedOption('maskedImage')
    }
  )
);

export function maskedImage(options: MaskedImageOptions): MaskedImageTask {
  const { encoder, patchSize, maskRatio, decoderHidden, seed } = parseOptions(
    maskedImageOptions,
    options
  );
  const [height, width, channels] = modelInputShape(encoder) as number[];
  check(
    Number.isInteger(patchSize) &&
      patchSize > 0 &&
      height % patchSize === 0 &&
      width % patchSize === 0,
    `maskedImage: patchSize ${patchSize} does not divide the ${height}x${width} images.`,
    `Use a patch size that divides both sides, e.g. ${[7, 4, 2].find(p => height % p === 0 && width % p === 0) ?? 1}.`
  );
  // A small dense decoder from the feature vector back to pixels, in [0, 1].
  const decoder = reconstructionHead(modelOutputDim(encoder), [height, width, channels], {
    name: `${encoder.name}_mim_decoder`,
    hidden: decoderHidden,
    activation: 'sigmoid',
    seed
  });
  return maskedReconstructionTask({
    method: 'masked-image',
    rebuild: 'maskedImage({ encoder })',
    encoder,
    decoder,
    checkBatch: batch => checkBatchShape(encoder, batch),
    mask: (batch, seed) => patchMask(batch.shape[0], height, width, patchSize, maskRatio, seed),
    config: { patchSize, maskRatio, decoderHidden, encoder: encoder.name },
    fields: { decoder }
  });
}
