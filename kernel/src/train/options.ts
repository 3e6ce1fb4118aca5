import { check, checkOptionNames, checkPositive } from '../util/errors';

export interface TrainOptions {
  /** Passes over the unlabeled data (default 10). */
  epochs?: number;
  /** Images per step; contrastive methods see 2x this many views (default 256). */
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  learningRate?: number;
  /** Seeds shuffling and augmentation; same seed, same run (default 0). */
  seed?: number;
  /** Title of the live dashboard (default: method and dataset). */
  title?: string;
  /** Show the live dashboard (default true). */
  display?: boolean;
}

export const TRAIN_OPTION_NAMES = [
  'epochs',
  'batchSize',
  'learningRate',
  'seed',
  'title',
  'display'
] as const;

export type ResolvedTrainOptions = Required<Omit<TrainOptions, 'title'>> & { title?: string };

export function resolveTrainOptions(options: TrainOptions): ResolvedTrainOptions {
  checkOptionNames('train()', options, TRAIN_OPTION_NAMES);
  const resolved = {
    epochs: 10,
    batchSize: 256,
    learningRate: 1e-3,
    seed: 0,
    display: true,
    ...options
  };
  check(
    Number.isInteger(resolved.epochs) && resolved.epochs > 0,
    `epochs must be a positive integer, got ${String(resolved.epochs)}.`,
    'Pass e.g. { epochs: 10 }.'
  );
  check(
    Number.isInteger(resolved.batchSize) && resolved.batchSize >= 2,
    `batchSize must be an integer of at least 2, got ${String(resolved.batchSize)}.`,
    'Pass e.g. { batchSize: 256 }; contrastive losses need at least two images per batch.'
  );
  checkPositive('learningRate', resolved.learningRate);
  check(
    Number.isInteger(resolved.seed),
    `seed must be an integer, got ${String(resolved.seed)}.`,
    'Pass e.g. { seed: 0 }.'
  );
  return resolved;
}
