/**
 * VIME self-supervised pretraining (Yoon et al., 2020): each feature group of a row is
 * corrupted with probability p (its value swapped for another row's), and from the encoding
 * of the corrupted row two heads predict WHICH features were corrupted (mask estimation,
 * binary cross-entropy) and WHAT the original row was (feature reconstruction, mean squared
 * error). To do both the encoder must learn how the columns depend on each other.
 *   loss = BCE(mask, mask head) + alpha * MSE(row, reconstruction head)
 */
import { tf, type LayersModel, type Scalar, type Tensor, type Tensor2D } from '../backend/tf';
import {
  checkGroups,
  featureCorruption,
  type FeatureCorruption
} from '../augment/feature-corruption';
import { session } from '../guide/session';
import { modelInputShape, modelOutputDim } from '../models/shape';
import { modelVariables } from '../models/variables';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed } from '../util/random';
import { checkRows, checkTabularEncoder } from './tabular';
import type { PretextTask } from './task';

export interface VimeOptions {
  /** An encoder of flat feature vectors, e.g. mlpEncoder({ inputDim, hidden: [128, 128] }). */
  encoder: LayersModel;
  /** Probability that a feature group is corrupted (default 0.3, the paper's p_m). */
  maskRate?: number;
  /** Weight of the reconstruction loss against mask estimation (default 2, the paper's). */
  alpha?: number;
  /** Column groups of the table (data.schema.groups): one-hot blocks are swapped whole. */
  groups?: ArrayLike<number>;
  /** Rows to draw replacement values from (default: the other rows of the batch). */
  bank?: Tensor2D;
  /** Seeds the heads' initial weights. */
  seed?: number;
}

export interface VimeTask extends PretextTask {
  readonly method: 'vime';
  /** Predicts per feature whether it was corrupted (logits). */
  readonly maskHead: LayersModel;
  /** Reconstructs the original (encoded) row. */
  readonly featureHead: LayersModel;
  readonly corruption: FeatureCorruption;
  readonly alpha: number;
}

export const VIME_DEFAULTS = { maskRate: 0.3, alpha: 2 } as const;
const OPTION_NAMES = ['encoder', 'maskRate', 'alpha', 'groups', 'bank', 'seed'];

/**
 * The VIME objective on one batch: mean binary cross-entropy between the corruption mask
 * (0/1) and the mask head's logits, plus alpha times the mean squared reconstruction error.
 * BCE is computed from logits as max(l, 0) - l*m + log(1 + exp(-|l|)), stable for any l.
 */
export function vimeLoss(
  mask: Tensor2D,
  maskLogits: Tensor2D,
  rows: Tensor2D,
  reconstruction: Tensor2D,
  alpha: number
): Scalar {
  check(
    typeof alpha === 'number' && Number.isFinite(alpha) && alpha >= 0,
    `VIME alpha must be a non-negative number, got ${String(alpha)}.`,
    'Use e.g. alpha: 2 (0 trains mask estimation only).'
  );
  const same = (a: Tensor, b: Tensor) => a.shape.join() === b.shape.join();
  check(
    same(mask, maskLogits) && same(rows, reconstruction) && same(mask, rows),
    `VIME loss: mask [${mask.shape}], mask logits [${maskLogits.shape}], rows [${rows.shape}] and reconstruction [${reconstruction.shape}] must have one shape.`,
    'Predict one mask logit and one reconstructed value per input feature.'
  );
  return tf.tidy(() => {
    const bce = tf.mean(
      tf.add(
        tf.sub(tf.relu(maskLogits), tf.mul(maskLogits, mask)),
        tf.log1p(tf.exp(tf.neg(tf.abs(maskLogits))))
      )
    );
    const mse = tf.mean(tf.square(tf.sub(rows, reconstruction)));
    return tf.add(bce, tf.mul(mse, alpha)) as Scalar;
  });
}

function linearHead(inputDim: number, units: number, name: string, seed: number): LayersModel {
  return tf.sequential({
    name,
    layers: [
      tf.layers.dense({
        inputShape: [inputDim],
        units,
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        name: `${name}_out`
      })
    ]
  });
}

export function vime(options: VimeOptions): VimeTask {
  check(
    typeof options === 'object' && options !== null,
    'vime needs an options object with at least an encoder.',
    'Call vime({ encoder: mlpEncoder({ inputDim: data.inputs.shape[1], hidden: [128, 128] }) }).'
  );
  checkOptionNames('vime', options, OPTION_NAMES);
  const { encoder } = options;
  checkTabularEncoder('vime', encoder);
  const [inputDim] = modelInputShape(encoder);
  checkGroups(options.groups, inputDim);
  const featureDim = modelOutputDim(encoder);
  const alpha = options.alpha ?? VIME_DEFAULTS.alpha;
  check(
    typeof alpha === 'number' && Number.isFinite(alpha) && alpha >= 0,
    `vime alpha must be a non-negative number, got ${String(alpha)}.`,
    'Use e.g. alpha: 2 (0 trains mask estimation only).'
  );
  const corruption = featureCorruption({
    rate: options.maskRate ?? VIME_DEFAULTS.maskRate,
    mode: 'bernoulli',
    groups: options.groups,
    bank: options.bank
  });
  const seed = options.seed ?? 0;
  const base = encoder.name || 'encoder';
  const maskHead = linearHead(featureDim, inputDim, `${base}_vime_mask`, deriveSeed(seed, 1));
  const featureHead = linearHead(
    featureDim,
    inputDim,
    `${base}_vime_features`,
    deriveSeed(seed, 2)
  );

  let disposed = false;
  const loss = (batch: Tensor, stepSeed: number): Scalar => {
    check(
      !disposed,
      'This VIME task has been disposed (its heads are gone).',
      'Create a new task with vime({ encoder }) to keep training the same encoder.'
    );
    checkRows('VIME', encoder, batch, 2);
    const rows = batch as Tensor2D;
    return tf.tidy(() => {
      const { corrupted, mask } = corruption(rows, deriveSeed(stepSeed, 1));
      const features = encoder.apply(corrupted, { training: true }) as Tensor;
      const maskLogits = maskHead.apply(features, { training: true }) as Tensor2D;
      const reconstruction = featureHead.apply(features, { training: true }) as Tensor2D;
      return vimeLoss(mask, maskLogits, rows, reconstruction, alpha);
    });
  };

  session.recordTask('vime');
  return {
    method: 'vime',
    encoder,
    maskHead,
    featureHead,
    corruption,
    alpha,
    trainableVariables: () => [
      ...modelVariables(encoder),
      ...modelVariables(maskHead),
      ...modelVariables(featureHead)
    ],
    loss,
    config: () => ({
      method: 'vime',
      maskRate: corruption.rate,
      alpha,
      featureDim,
      groups: corruption.groupCount || inputDim,
      bank: options.bank ? options.bank.shape[0] : 'batch',
      encoder: encoder.name
    }),
    dispose: () => {
      if (!disposed) {
        maskHead.dispose();
        featureHead.dispose();
      }
      disposed = true;
    }
  };
}
