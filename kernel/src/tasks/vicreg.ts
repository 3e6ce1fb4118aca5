/**
 * Redundancy reduction. VICReg (Bardes et al., 2022): keep the two views' embeddings close
 * (invariance), keep every dimension's spread above a floor (variance) and decorrelate the
 * dimensions (covariance). Barlow Twins (Zbontar et al., 2021): push the cross-correlation of the
 * two views' embeddings towards the identity. Same module, the loss is an option.
 */
import {
  tf,
  type LayersModel,
  type Scalar,
  type Tensor,
  type Tensor2D,
  type Tensor4D
} from '../backend/tf';
import type { ImageAugment } from '../augment/augment';
import { session } from '../guide/session';
import { projectionHead } from '../models/heads';
import { checkBatchShape, modelOutputDim } from '../models/shape';
import { modelVariables } from '../models/variables';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed } from '../util/random';
import { checkImageEncoder, describeAugment, namedVariables, viewAugment } from './common';
import { barlowTwinsLoss, vicregLoss, VICREG_WEIGHTS, type VicregWeights } from './ssl-losses';
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

const OPTION_NAMES = ['encoder', 'augment', 'loss', 'expanderDim', 'weights', 'lambda', 'seed'];

export function vicreg(options: VicregOptions): PretextTask {
  check(
    typeof options === 'object' && options !== null,
    'vicreg needs an options object with an encoder.',
    'Call vicreg({ encoder }).'
  );
  checkOptionNames('vicreg', options, OPTION_NAMES);
  const { encoder, loss: kind = 'vicreg', expanderDim = 256, lambda = 5e-3, seed } = options;
  checkImageEncoder(kind, encoder);
  check(
    kind === 'vicreg' || kind === 'barlow',
    `Unknown redundancy-reduction loss '${String(kind)}'.`,
    "Use loss: 'vicreg' or loss: 'barlow'."
  );
  check(
    Number.isInteger(expanderDim) && expanderDim > 1,
    `${kind}: expanderDim must be an integer above 1, got ${String(expanderDim)}.`,
    'Use e.g. expanderDim: 256.'
  );
  const weights = { ...VICREG_WEIGHTS, ...(options.weights ?? {}) };
  const augment = viewAugment(kind, options.augment);
  const featureDim = modelOutputDim(encoder);
  const expander = projectionHead(featureDim, {
    hidden: expanderDim,
    output: expanderDim,
    seed,
    name: `${encoder.name}_${kind}_expander`
  });
  let disposed = false;

  const loss = (batch: Tensor, stepSeed: number): Scalar => {
    check(
      !disposed,
      `This ${kind} task has been disposed.`,
      `Create a new task with ${kind === 'vicreg' ? 'vicreg' : 'barlowTwins'}({ encoder }).`
    );
    checkBatchShape(encoder, batch);
    const images = batch as Tensor4D;
    const n = images.shape[0];
    check(
      n >= 2,
      `${kind} needs at least 2 images per batch to estimate variances (got ${n}).`,
      'Use batchSize 64 or more.'
    );
    return tf.tidy(() => {
      const views = tf.concat(
        [augment(images, deriveSeed(stepSeed, 1)), augment(images, deriveSeed(stepSeed, 2))],
        0
      );
      const z = expander.apply(encoder.apply(views, { training: true }), {
        training: true
      }) as Tensor2D;
      const [z1, z2] = [tf.slice(z, [0, 0], [n, -1]), tf.slice(z, [n, 0], [n, -1])];
      return kind === 'vicreg' ? vicregLoss(z1, z2, weights) : barlowTwinsLoss(z1, z2, lambda);
    });
  };

  session.recordTask(kind);
  return {
    method: kind,
    encoder,
    trainableVariables: () => [...modelVariables(encoder), ...modelVariables(expander)],
    loss,
    stateVariables: () => namedVariables({ encoder, expander }),
    config: () => ({
      method: kind,
      ...(kind === 'vicreg' ? { weights } : { lambda }),
      expanderDim,
      featureDim,
      encoder: encoder.name,
      augment: describeAugment(augment)
    }),
    dispose: () => {
      if (!disposed) expander.dispose();
      disposed = true;
    }
  };
}

/** Barlow Twins: vicreg() with the cross-correlation loss. */
export function barlowTwins(options: Omit<VicregOptions, 'loss' | 'weights'>): PretextTask {
  return vicreg({ ...options, loss: 'barlow' });
}
