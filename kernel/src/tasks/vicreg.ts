/**
 * Redundancy reduction. VICReg (Bardes et al., 2022): keep the two views' embeddings close
 * (invariance), keep every dimension's spread above a floor (variance) and decorrelate the
 * dimensions (covariance). Barlow Twins (Zbontar et al., 2021): push the cross-correlation of the
 * two views' embeddings towards the identity. Same module, the loss is an option.
 */
import type { LayersModel } from '../backend/tf';
import type { ImageAugment, InputAugment } from '../augment/augment';
import { barlowTwinsLoss } from '../losses/barlow-twins';
import { vicregLoss, VICREG_WEIGHTS, type VicregWeights } from '../losses/vicreg';
import { projectionHead } from '../models/heads';
import { checkBatchShape, modelOutputDim } from '../models/shape';
import { nonNegativeNumber } from '../options/fields';
import { inputIs, optionsObject, parseOptions, says, z } from '../options/schema';
import { check } from '../util/errors';
import { checkImageEncoder, describeAugment, viewAugment } from './common';
import { jointEmbeddingTask } from './joint-embedding';
import { augmentOption, seedOption, taskOptions } from './options';
import type { PretextTask } from './task';

export interface VicregOptions {
  encoder: LayersModel;
  augment?: ImageAugment;
  /** 'vicreg' (default) or 'barlow' (Barlow Twins). */
  loss?: 'vicreg' | 'barlow';
  /** Width of the expander MLP's hidden and output layers (default 256; the papers use 8192 on ImageNet). */
  expanderDim?: number;
  /** VICReg term weights (default 25 / 25 / 1, the paper's). */
  weights?: VicregWeights;
  /** Barlow Twins off-diagonal weight (default 5e-3). */
  lambda?: number;
  seed?: number;
}

/** The options for one loss kind: the messages name the method being built. */
function redundancyOptions(kind: 'vicreg' | 'barlow') {
  const weight = (name: keyof VicregWeights) =>
    nonNegativeNumber(
      `${kind} weights.${name}`,
      `Pass e.g. weights: { ${name}: ${VICREG_WEIGHTS[name]} }.`
    ).optional();
  return inputIs<VicregOptions>()(
    taskOptions(
      kind,
      `${kind === 'vicreg' ? 'vicreg' : 'barlowTwins'}({ encoder })`,
      () => undefined,
      {
        augment: augmentOption<ImageAugment>(),
        loss: z
          .enum(
            ['vicreg', 'barlow'],
            says(
              v => `Unknown redundancy-reduction loss '${String(v)}'.`,
              "Use loss: 'vicreg' or loss: 'barlow'."
            )
          )
          .default('vicreg'),
        expanderDim: z
          .int(
            says(
              v => `${kind}: expanderDim must be an integer above 1, got ${String(v)}.`,
              'Use e.g. expanderDim: 256.'
            )
          )
          .min(2)
          .default(256),
        weights: optionsObject(
          `${kind} weights`,
          {
            lambdaInvariance: weight('lambdaInvariance'),
            muVariance: weight('muVariance'),
            nuCovariance: weight('nuCovariance')
          },
          {
            problem: v => `${kind}: weights must be an object, got ${String(v)}.`,
            fix: 'Pass e.g. weights: { lambdaInvariance: 25, muVariance: 25, nuCovariance: 1 }.'
          }
        ).optional(),
        lambda: nonNegativeNumber(`${kind} lambda`, 'Pass e.g. lambda: 5e-3.').default(5e-3),
        seed: seedOption(kind)
      }
    )
  );
}

const OPTIONS = { vicreg: redundancyOptions('vicreg'), barlow: redundancyOptions('barlow') };

export function vicreg(options: VicregOptions): PretextTask {
  const named = options?.loss === 'barlow' ? 'barlow' : 'vicreg';
  const {
    encoder,
    loss: kind,
    expanderDim,
    lambda,
    seed,
    ...given
  } = parseOptions(OPTIONS[named], options);
  checkImageEncoder(kind, encoder);
  const weights = { ...VICREG_WEIGHTS, ...(given.weights ?? {}) };
  const augment = viewAugment(kind, given.augment);
  const featureDim = modelOutputDim(encoder);
  const expander = projectionHead(featureDim, {
    hidden: expanderDim,
    output: expanderDim,
    seed,
    name: `${encoder.name}_${kind}_expander`
  });
  return jointEmbeddingTask({
    method: kind,
    rebuild: `${kind === 'vicreg' ? 'vicreg' : 'barlowTwins'}({ encoder })`,
    encoder,
    augment: augment as unknown as InputAugment,
    head: expander,
    headRole: 'expander',
    checkBatch: batch => {
      checkBatchShape(encoder, batch);
      check(
        batch.shape[0] >= 2,
        `${kind} needs at least 2 images per batch to estimate variances (got ${batch.shape[0]}).`,
        'Use batchSize 64 or more.'
      );
    },
    loss: (z1, z2) =>
      kind === 'vicreg' ? vicregLoss(z1, z2, weights) : barlowTwinsLoss(z1, z2, lambda),
    config: {
      ...(kind === 'vicreg' ? { weights } : { lambda }),
      expanderDim,
      featureDim,
      encoder: encoder.name,
      augment: describeAugment(augment)
    }
  });
}

/** Barlow Twins: vicreg() with the cross-correlation loss. */
export function barlowTwins(options: Omit<VicregOptions, 'loss' | 'weights'>): PretextTask {
  return vicreg({ ...options, loss: 'barlow' });
}
