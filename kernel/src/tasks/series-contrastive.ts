/**
 * Contrastive pretraining on time-series windows: SimCLR's objective (two views per window,
 * NT-Xent) with a window encoder and the series view generator. It is simclr() itself with
 * series defaults, not a copy, so every improvement to SimCLR applies here too.
 */
import type { LayersModel } from '../backend/tf';
import { seriesAugment, type SeriesAugment } from '../augment/series';
import type { InputAugment } from '../augment/augment';
import { inputIs, parseOptions, z } from '../options/schema';
import { checkWindowEncoder } from './common';
import { augmentOption, taskOptions } from './options';
import { simclrNamed, type SimclrTask } from './simclr';

export interface SeriesContrastiveOptions {
  /** A window encoder taking [steps, channels], e.g. conv1dEncoder({ inputShape: [64, 3] }). */
  encoder: LayersModel;
  /** View generator (default seriesAugment(): per-channel scaling and jitter). */
  augment?: SeriesAugment | InputAugment;
  projectionDim?: number;
  hiddenDim?: number;
  /** NT-Xent temperature (default 0.2; SimCLR's 0.1 was measured on images only). */
  temperature?: number;
  seed?: number;
}

export type SeriesContrastiveTask = SimclrTask;

const what = 'seriesContrastive';

/** The temperature series windows were benchmarked with (bench/quality/modalities.ts). */
export const SERIES_CONTRASTIVE_TEMPERATURE = 0.2;

// SimCLR's options with a window encoder; simclr() checks the values themselves.
const seriesContrastiveOptions = inputIs<SeriesContrastiveOptions>()(
  taskOptions(
    what,
    'seriesContrastive({ encoder: conv1dEncoder({ inputShape: [64, 3] }) })',
    encoder => checkWindowEncoder(what, encoder, 'simclr'),
    {
      augment: augmentOption<SeriesAugment | InputAugment>(),
      projectionDim: z.custom<number>().optional(),
      hiddenDim: z.custom<number>().optional(),
      temperature: z.custom<number>().optional(),
      seed: z.custom<number>().optional()
    }
  )
);

export function seriesContrastive(options: SeriesContrastiveOptions): SeriesContrastiveTask {
  const given = parseOptions(seriesContrastiveOptions, options);
  return simclrNamed(
    {
      ...given,
      augment: (given.augment ?? seriesAugment()) as InputAugment,
      temperature: given.temperature ?? SERIES_CONTRASTIVE_TEMPERATURE
    },
    'series-contrastive'
  );
}
