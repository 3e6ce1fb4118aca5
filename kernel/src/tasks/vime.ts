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
import { vimeLoss } from '../losses/vime';
import { linearHead } from '../models/heads';
import { modelInputShape, modelOutputDim } from '../models/shape';
import { inputIs, parseOptions, says, z } from '../options/schema';
import { deriveSeed } from '../util/random';
import { defineTask } from './define';
import { corruptionOptions, seedOption, taskOptions } from './options';
import { checkRows, checkTabularEncoder } from './tabular';
import type { PretextTask } from './task';

// The loss lives in losses/; re-exported where VIME users look for it.
export { vimeLoss };

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
const corruptionParts = corruptionOptions(VIME_DEFAULTS.maskRate);

const vimeOptions = inputIs<VimeOptions>()(
  taskOptions(
    'vime',
    'vime({ encoder: mlpEncoder({ inputDim: data.inputs.shape[1], hidden: [128, 128] }) })',
    encoder => checkTabularEncoder('vime', encoder),
    {
      maskRate: corruptionParts.rate,
      alpha: z
        .number(
          says(
            v => `vime alpha must be a non-negative number, got ${String(v)}.`,
            'Use e.g. alpha: 2 (0 trains mask estimation only).'
          )
        )
        .min(0)
        .default(VIME_DEFAULTS.alpha),
      groups: corruptionParts.groups,
      bank: corruptionParts.bank,
      seed: seedOption('vime').default(0)
    }
  )
);

export function vime(options: VimeOptions): VimeTask {
  const { encoder, maskRate, alpha, seed, ...given } = parseOptions(vimeOptions, options);
  const [inputDim] = modelInputShape(encoder);
  checkGroups(given.groups, inputDim);
  const featureDim = modelOutputDim(encoder);
  const corruption = featureCorruption({
    rate: maskRate,
    mode: 'bernoulli',
    groups: given.groups,
    bank: given.bank
  });
  const base = encoder.name || 'encoder';
  const maskHead = linearHead(featureDim, inputDim, {
    name: `${base}_vime_mask`,
    seed: deriveSeed(seed, 1)
  });
  const featureHead = linearHead(featureDim, inputDim, {
    name: `${base}_vime_features`,
    seed: deriveSeed(seed, 2)
  });
  // The corruption is drawn in prepare (seeded, eager); the objective is the deterministic rest.
  const stages = {
    prepare: (batch: Tensor, stepSeed: number): Tensor[] => {
      checkRows('VIME', encoder, batch, 2);
      return tf.tidy(() => {
        const { corrupted, mask } = corruption(batch as Tensor2D, deriveSeed(stepSeed, 1));
        return [batch.clone(), corrupted, mask];
      });
    },
    objective: ([rows, corrupted, mask]: Tensor[]): Scalar =>
      tf.tidy(() => {
        const features = encoder.apply(corrupted, { training: true }) as Tensor;
        const maskLogits = maskHead.apply(features, { training: true }) as Tensor2D;
        const reconstruction = featureHead.apply(features, { training: true }) as Tensor2D;
        return vimeLoss(mask as Tensor2D, maskLogits, rows as Tensor2D, reconstruction, alpha);
      })
  };
  return defineTask({
    method: 'vime',
    label: 'VIME',
    encoder,
    heads: { maskHead, featureHead },
    // Checkpoints of VIME runs name trainable variables the engine's way; keep them loading.
    state: 'trainable',
    stages,
    loss: (batch, stepSeed) => tf.tidy(() => stages.objective(stages.prepare(batch, stepSeed))),
    config: {
      maskRate: corruption.rate,
      alpha,
      featureDim,
      groups: corruption.groupCount || inputDim,
      bank: given.bank ? given.bank.shape[0] : 'batch',
      encoder: encoder.name
    },
    fields: { maskHead, featureHead, corruption, alpha }
  });
}
