/**
 * SCARF (Bahri et al., 2022): contrastive learning for tables. Each row (the anchor) is paired
 * with a corrupted copy in which a random 60% of its features are replaced by the same
 * features of other rows; the encoder plus a projection head learns to match each anchor to
 * its own corrupted copy among the batch (NT-Xent). It needs no hand-made augmentations, only
 * the data's own marginals.
 */
import type { LayersModel, Tensor2D } from '../backend/tf';
import {
  checkGroups,
  featureCorruption,
  type FeatureCorruption
} from '../augment/feature-corruption';
import { ntXentLoss } from '../losses/nt-xent';
import { projectionHead } from '../models/heads';
import { modelInputShape, modelOutputDim } from '../models/shape';
import { inputIs, parseOptions } from '../options/schema';
import { deriveSeed } from '../util/random';
import { jointEmbeddingTask } from './joint-embedding';
import {
  corruptionOptions,
  projectionOptions,
  seedOption,
  taskOptions,
  temperatureOption
} from './options';
import { checkRows, checkTabularEncoder } from './tabular';
import type { PretextTask } from './task';

export interface ScarfOptions {
  /** An encoder of flat feature vectors, e.g. mlpEncoder({ inputDim, hidden: [128, 128] }). */
  encoder: LayersModel;
  /** Share of feature groups corrupted per row (default 0.6, the paper's value). */
  rate?: number;
  /** Column groups of the table (data.schema.groups): one-hot blocks are swapped whole. */
  groups?: ArrayLike<number>;
  /** Rows to draw replacement values from (default: the other rows of the batch). */
  bank?: Tensor2D;
  /**
   * NT-Xent temperature (default 1, the paper's value). Measured on the movies table (2,340
   * pool rows, batch 128, 15 epochs, one seed, 10% labels): probe / kNN accuracy 0.389 / 0.406
   * at T = 1, 0.328 / 0.422 at 0.5, 0.362 / 0.413 at 0.2 (untrained 0.372 / 0.384): no lower
   * value was clearly better, so the paper's default stays.
   */
  temperature?: number;
  /** Projection output size (default 64). */
  projectionDim?: number;
  /** Projection hidden size (default: the encoder's feature size). */
  hiddenDim?: number;
  /** Seeds the projection head's initial weights. */
  seed?: number;
}

export interface ScarfTask extends PretextTask {
  readonly method: 'scarf';
  readonly head: LayersModel;
  readonly corruption: FeatureCorruption;
  readonly temperature: number;
}

export const SCARF_DEFAULTS = { rate: 0.6, temperature: 1, projectionDim: 64 } as const;

const scarfOptions = inputIs<ScarfOptions>()(
  taskOptions(
    'scarf',
    'scarf({ encoder: mlpEncoder({ inputDim: data.inputs.shape[1], hidden: [128, 128] }) })',
    encoder => checkTabularEncoder('scarf', encoder),
    {
      ...corruptionOptions(SCARF_DEFAULTS.rate),
      temperature: temperatureOption('scarf', SCARF_DEFAULTS.temperature),
      ...projectionOptions('scarf', SCARF_DEFAULTS.projectionDim),
      seed: seedOption('scarf')
    }
  )
);

export function scarf(options: ScarfOptions): ScarfTask {
  const { encoder, temperature, projectionDim, ...given } = parseOptions(scarfOptions, options);
  const [inputDim] = modelInputShape(encoder);
  checkGroups(given.groups, inputDim);
  const featureDim = modelOutputDim(encoder);
  const corruption = featureCorruption({
    rate: given.rate,
    mode: 'exact',
    groups: given.groups,
    bank: given.bank
  });
  const hiddenDim = given.hiddenDim ?? featureDim;
  const head = projectionHead(featureDim, {
    hidden: hiddenDim,
    output: projectionDim,
    seed: given.seed,
    name: `${encoder.name || 'encoder'}_scarf_head`
  });
  // SimCLR with another view: each row against its corrupted copy.
  return jointEmbeddingTask({
    method: 'scarf',
    label: 'SCARF',
    encoder,
    views: (rows, seed) => [rows, corruption(rows as Tensor2D, deriveSeed(seed, 1)).corrupted],
    head,
    state: 'trainable', // as SimCLR: existing checkpoints use the engine's names
    checkBatch: batch => checkRows('SCARF', encoder, batch, 2),
    loss: (z1, z2) => ntXentLoss(z1, z2, temperature),
    config: {
      rate: corruption.rate,
      temperature,
      featureDim,
      hiddenDim,
      projectionDim,
      groups: corruption.groupCount || inputDim,
      bank: given.bank ? given.bank.shape[0] : 'batch',
      encoder: encoder.name
    },
    fields: { head, corruption, temperature }
  });
}
