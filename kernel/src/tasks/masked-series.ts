/**
 * Masked reconstruction for time-series windows: hide random spans of consecutive steps (all
 * channels), encode what is left, and reconstruct the whole window from the encoder's
 * features. The loss counts only the hidden steps, so copying visible readings earns nothing;
 * the encoder has to model how the channels evolve and relate (as in TST, Zerveas et al. 2021,
 * which hides spans rather than single steps because neighbouring steps give single ones away).
 */
import { tf, type LayersModel, type Tensor3D } from '../backend/tf';
import { reconstructionHead } from '../models/heads';
import { checkBatchShape, modelInputShape, modelOutputDim } from '../models/shape';
import { positiveInteger } from '../options/fields';
import { inputIs, parseOptions, z } from '../options/schema';
import { check } from '../util/errors';
import { checkWindowEncoder } from './common';
import { maskedReconstructionTask } from './masked-reconstruction';
import { ratioOption, seedOption, taskOptions } from './options';
import type { PretextTask } from './task';

export interface MaskedSeriesOptions {
  /** A window encoder taking [steps, channels], e.g. conv1dEncoder({ inputShape: [64, 3] }). */
  encoder: LayersModel;
  /** Steps per hidden span (default 8). */
  spanLength?: number;
  /** Fraction of spans hidden per window (default 0.3). */
  maskRatio?: number;
  /** Hidden width of the default decoder (default 256). */
  decoderHidden?: number;
  seed?: number;
}

/**
 * Per-window span masks, 1 = hidden: [batch, steps, 1]. The window is cut into
 * ceil(steps / spanLength) spans and each window hides round(maskRatio * spans) of them (at
 * least 1), chosen by a seeded random ranking, so the hidden fraction is exact.
 */
export function spanMask(
  batch: number,
  steps: number,
  spanLength: number,
  maskRatio: number,
  seed: number
): Tensor3D {
  return tf.tidy(() => {
    const spans = Math.ceil(steps / spanLength);
    const hidden = Math.min(spans, Math.max(1, Math.round(maskRatio * spans)));
    const scores = tf.randomUniform([batch, spans], 0, 1, 'float32', seed);
    const threshold = tf.topk(scores, hidden).values.slice([0, hidden - 1], [batch, 1]);
    const chosen = tf.greaterEqual(scores, threshold).toFloat();
    // Repeat each span's flag spanLength times, then trim to the window length.
    const perStep = tf.reshape(tf.tile(tf.expandDims(chosen, 2), [1, 1, spanLength]), [
      batch,
      spans * spanLength
    ]);
    return tf.expandDims(tf.slice(perStep, [0, 0], [batch, steps]), 2) as Tensor3D;
  });
}

// The loss is shared with masked-image; re-exported where series users look for it.
export { maskedMse } from '../losses/masked-mse';

export interface MaskedSeriesTask extends PretextTask {
  /** Features back to a window; discarded after pretraining. */
  readonly decoder: LayersModel;
}

const what = 'maskedSeries';

const maskedSeriesOptions = inputIs<MaskedSeriesOptions>()(
  taskOptions(
    what,
    'maskedSeries({ encoder: conv1dEncoder({ inputShape: [64, 3] }) })',
    encoder => checkWindowEncoder(what, encoder, 'maskedImage'),
    {
      // Whether it fits the window is checked against the encoder below.
      spanLength: z.custom<number>().default(8),
      maskRatio: ratioOption(what, 'maskRatio', 0.3),
      decoderHidden: positiveInteger(
        `${what}: decoderHidden`,
        'Use e.g. decoderHidden: 256.'
      ).default(256),
      seed: seedOption(what)
    }
  )
);

export function maskedSeries(options: MaskedSeriesOptions): MaskedSeriesTask {
  const { encoder, spanLength, maskRatio, decoderHidden, seed } = parseOptions(
    maskedSeriesOptions,
    options
  );
  const shape = modelInputShape(encoder);
  const [steps, channels] = shape;
  check(
    Number.isInteger(spanLength) && spanLength >= 1 && spanLength < steps,
    `${what}: spanLength must be an integer from 1 to ${steps - 1} (the window has ${steps} steps), got ${String(spanLength)}.`,
    `Use e.g. spanLength: ${Math.max(1, Math.floor(steps / 8))}.`
  );
  // Standardised readings are unbounded, so the output layer is linear (no sigmoid).
  const decoder = reconstructionHead(modelOutputDim(encoder), [steps, channels], {
    name: `${encoder.name}_msm_decoder`,
    hidden: decoderHidden,
    activation: 'linear',
    seed
  });
  return maskedReconstructionTask({
    method: 'masked-series',
    rebuild: 'maskedSeries({ encoder })',
    encoder,
    decoder,
    checkBatch: batch => checkBatchShape(encoder, batch, 'Windows'),
    // Hidden steps read 0: the mean of standardised data, so they carry no information.
    mask: (batch, seed) => spanMask(batch.shape[0], steps, spanLength, maskRatio, seed),
    config: { spanLength, maskRatio, decoderHidden, encoder: encoder.name },
    fields: { decoder }
  });
}
