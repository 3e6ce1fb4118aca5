/** Where an export lives in its run folder, and the card files written beside the weights. */
import * as path from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../runs/files';
import type { ModelCard } from './model-card';

/** The export's folder inside the run folder (and its artifact path on the tracking server). */
export const ENCODER_DIR = 'encoder';

/** The card's files, in the order they are written and uploaded. */
export const CARD_FILES = ['model-card.json', 'MODEL_CARD.md', 'README.md'] as const;

/** Writes model-card.json, MODEL_CARD.md and README.md (the card with the Hub header) into `dir`. */
export function writeCardFiles(dir: string, card: ModelCard): void {
  writeJsonAtomic(path.join(dir, 'model-card.json'), card.data);
  writeFileAtomic(path.join(dir, 'MODEL_CARD.md'), card.markdown() + '\n');
  writeFileAtomic(path.join(dir, 'README.md'), card.readme());
}
