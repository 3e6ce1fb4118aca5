import type { TrainOptions } from '../../../kernel/src/train/options';

/** The options the killed child trains with, and its uninterrupted twin in the test. */
export const CHILD_OPTIONS: TrainOptions = {
  display: false,
  batchSize: 8,
  seed: 5,
  learningRate: 0.05,
  optimizer: 'adamw',
  weightDecay: 0.01
};
