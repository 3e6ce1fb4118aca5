/**
 * BYOL (Grill et al., 2020): no negatives. An online encoder + projector + predictor learns to
 * predict the projection a slowly moving (EMA) target network gives of another view of the same
 * image. The asymmetry (predictor, no gradient into the target) is what prevents collapse.
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
import { byolLoss } from '../losses/cosine';
import { projectionHead } from '../models/heads';
import { checkBatchShape, modelOutputDim } from '../models/shape';
import { flag, positiveInteger } from '../options/fields';
import { inputIs, parseOptions } from '../options/schema';
import { deriveSeed } from '../util/random';
import { checkImageEncoder, describeAugment, viewAugment } from './common';
import { defineTask } from './define';
import { emaUpdate, tauAt, targetCopy } from './momentum';
import { augmentOption, momentumOption, seedOption, taskOptions } from './options';
import type { PretextTask } from './task';

export interface ByolOptions {
  encoder: LayersModel;
  augment?: ImageAugment;
  /** Projection size (default 64). */
  projectionDim?: number;
  /** Hidden width of projector and predictor (default 2x the encoder's features). */
  hiddenDim?: number;
  /**
   * Batch norm after the hidden layer of projector and predictor (default true, as in the
   * paper). Without it short Adam runs collapse: on MNIST at lr 2e-3, batch 128, one seed in
   * four collapsed within 12 epochs.
   */
  headBatchNorm?: boolean;
  /** EMA momentum of the target at the start (default 0.99); rises to 1 on a cosine when totalSteps is given. */
  tau?: number;
  /** Planned optimiser steps, for the momentum schedule (default: fixed tau). */
  totalSteps?: number;
  seed?: number;
}

const byolOptions = inputIs<ByolOptions>()(
  taskOptions('byol', 'byol({ encoder })', encoder => checkImageEncoder('byol', encoder), {
    augment: augmentOption<ImageAugment>(),
    projectionDim: positiveInteger('byol projectionDim', 'Pass e.g. projectionDim: 64.').default(
      64
    ),
    hiddenDim: positiveInteger(
      'byol hiddenDim',
      "Pass e.g. hiddenDim: 128, or leave it out for twice the encoder's feature size."
    ).optional(),
    tau: momentumOption(
      v => `byol: tau must be in [0, 1), got ${String(v)}.`,
      'Use a momentum such as 0.99 (0.996 for long runs).',
      0.99
    ),
    headBatchNorm: flag('byol headBatchNorm', 'Pass headBatchNorm: true or false.').default(true),
    totalSteps: positiveInteger(
      'byol totalSteps',
      'Pass the planned optimiser steps, e.g. totalSteps: epochs * stepsPerEpoch.'
    ).optional(),
    seed: seedOption('byol')
  })
);

export function byol(options: ByolOptions): PretextTask {
  const { encoder, projectionDim, tau, totalSteps, seed, headBatchNorm, ...given } = parseOptions(
    byolOptions,
    options
  );
  const augment = viewAugment('byol', given.augment);
  const featureDim = modelOutputDim(encoder);
  const hiddenDim = given.hiddenDim ?? 2 * featureDim;
  const projector = projectionHead(featureDim, {
    hidden: hiddenDim,
    output: projectionDim,
    seed,
    batchNorm: headBatchNorm,
    name: `${encoder.name}_byol_projector`
  });
  const predictor = projectionHead(projectionDim, {
    hidden: hiddenDim,
    output: projectionDim,
    seed: seed === undefined ? undefined : seed + 1,
    batchNorm: headBatchNorm,
    name: `${encoder.name}_byol_predictor`
  });
  const targetEncoder = targetCopy(encoder, `${encoder.name}_byol_target`);
  const targetProjector = targetCopy(projector, `${encoder.name}_byol_target_projector`);

  // Views are drawn in prepare (seeded, eager); the objective is the deterministic rest.
  const stages = {
    prepare: (batch: Tensor, stepSeed: number): Tensor[] => {
      checkBatchShape(encoder, batch);
      const images = batch as Tensor4D;
      return tf.tidy(() => [
        tf.concat(
          [augment(images, deriveSeed(stepSeed, 1)), augment(images, deriveSeed(stepSeed, 2))],
          0
        )
      ]);
    },
    objective: ([views]: Tensor[]): Scalar =>
      tf.tidy(() => {
        const n = views.shape[0] / 2;
        const online = predictor.apply(
          projector.apply(encoder.apply(views, { training: true }), { training: true }),
          { training: true }
        ) as Tensor2D;
        // The target's weights are not optimised, so no gradient reaches them. It normalises
        // with its own batch statistics, as in the paper: its moving averages are EMA copies
        // of the online ones and lag far behind them early in a run.
        const target = targetProjector.apply(targetEncoder.apply(views, { training: true }), {
          training: true
        }) as Tensor2D;
        const [p1, p2] = [tf.slice(online, [0, 0], [n, -1]), tf.slice(online, [n, 0], [n, -1])];
        const [z1, z2] = [tf.slice(target, [0, 0], [n, -1]), tf.slice(target, [n, 0], [n, -1])];
        return tf.add(byolLoss(p1, z2), byolLoss(p2, z1)) as Scalar;
      })
  };
  return defineTask({
    method: 'byol',
    label: 'BYOL',
    encoder,
    heads: { projector, predictor },
    targets: { target_encoder: targetEncoder, target_projector: targetProjector },
    stages,
    loss: (batch, stepSeed) => tf.tidy(() => stages.objective(stages.prepare(batch, stepSeed))),
    afterStep: step => {
      const momentum = tauAt(tau, step, totalSteps);
      emaUpdate(targetEncoder, encoder, momentum);
      emaUpdate(targetProjector, projector, momentum);
    },
    config: {
      tau,
      totalSteps: totalSteps ?? null,
      featureDim,
      hiddenDim,
      projectionDim,
      headBatchNorm,
      encoder: encoder.name,
      augment: describeAugment(augment)
    }
  });
}
