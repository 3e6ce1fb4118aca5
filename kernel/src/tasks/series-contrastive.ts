/**
 * Contrastive pretraining on time-series windows: SimCLR's objective (two views per window,
 * NT-Xent) with a window encoder and the series view generator. It is simclr() itself with
 * series defaults, not a copy, so every improvement to SimCLR applies here too.
 */
import type { LayersModel } from '../backend/tf';
import { seriesAugment, type SeriesAugment } from '../augment/series';
import type { InputAugment } from '../augment/augment';
import { modelInputShape } from '../models/shape';
import { check } from '../util/errors';
import { checkEncoder, checkTaskOptions } from './common';
import { simclrNamed, type SimclrTask } from './simclr';

export interface SeriesContrastiveOptions {
  /** A window encoder taking [steps, channels], e.g. conv1dEncoder({ inputShape: [64, 3] }). */
  encoder: LayersModel;
  /** View generator (default seriesAugment(): per-channel scaling and jitter). */
  augment?: SeriesAugment | InputAugment;
  projectionDim?: number;
  hiddenDim?: number;
  /** NT-Xent temperature (default 0.2, as SimCLR). */
  temperature?: number;
  seed?: number;
}

export type SeriesContrastiveTask = SimclrTask;

export function seriesContrastive(options: SeriesContrastiveOptions): SeriesContrastiveTask {
  const what = 'seriesContrastive';
  checkTaskOptions(
    what,
    options,
    ['encoder', 'augment', 'projectionDim', 'hiddenDim', 'temperature', 'seed'],
    'seriesContrastive({ encoder: conv1dEncoder({ inputShape: [64, 3] }) })'
  );
  checkEncoder(what, options.encoder);
  const shape = modelInputShape(options.encoder);
  check(
    shape.length === 2,
    `${what}: encoder '${options.encoder.name}' takes inputs of shape [${shape.join(', ')}], not windows [steps, channels].`,
    'Use a window encoder, e.g. conv1dEncoder({ inputShape: [64, 3] }); for images use simclr.'
  );
  return simclrNamed(
    { ...options, augment: (options.augment ?? seriesAugment()) as InputAugment },
    'series-contrastive'
  );
}
