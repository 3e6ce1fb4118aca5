/**
 * The pretext tasks Pretext offers, by the names users type, with a one-paragraph description
 * each (the extension's catalog shows the same text).
 */
import type { LayersModel } from '../backend/tf';
import { PretextError } from '../util/errors';
import { closestNames } from '../util/names';
import { byol } from './byol';
import { maskedImage } from './masked-image';
import { rotation } from './rotation';
import { simclr } from './simclr';
import type { PretextTask } from './task';
import { vicreg } from './vicreg';

export interface MethodInfo {
  name: string;
  family: 'contrastive' | 'non-contrastive' | 'redundancy-reduction' | 'predictive' | 'generative';
  modality: 'image';
  /** Whether the task takes an `augment` option (views); rotation and masking make their own inputs. */
  usesAugment: boolean;
  summary: string;
  whenToUse: string;
}

export const METHODS: readonly MethodInfo[] = [
  {
    name: 'simclr',
    family: 'contrastive',
    modality: 'image',
    usesAugment: true,
    summary:
      'Two random views of each image are pulled together in embedding space and pushed away from every other image in the batch (NT-Xent loss).',
    whenToUse:
      'A strong default when you can describe augmentations that change the look but not the meaning. Needs large batches for many negatives.'
  },
  {
    name: 'byol',
    family: 'non-contrastive',
    modality: 'image',
    usesAugment: true,
    summary:
      'An online network predicts the projection a slowly moving average (EMA) of itself gives of another view; no negatives are needed.',
    whenToUse:
      'When batches must stay small (no negatives to collect), or contrastive training is unstable.'
  },
  {
    name: 'vicreg',
    family: 'redundancy-reduction',
    modality: 'image',
    usesAugment: true,
    summary:
      "Keeps the two views' embeddings close while holding each dimension's variance above a floor and decorrelating the dimensions.",
    whenToUse:
      'When embeddings collapse with other methods: the variance term prevents it explicitly. Works with small batches.'
  },
  {
    name: 'barlow',
    family: 'redundancy-reduction',
    modality: 'image',
    usesAugment: true,
    summary:
      "Barlow Twins: drives the cross-correlation matrix of the two views' embeddings towards the identity.",
    whenToUse:
      'Like VICReg, an alternative without negatives or momentum networks; benefits from wide projectors.'
  },
  {
    name: 'rotation',
    family: 'predictive',
    modality: 'image',
    usesAugment: false,
    summary: 'Each image is rotated by 0, 90, 180 or 270 degrees and the network predicts which.',
    whenToUse:
      'A cheap sanity baseline with no augmentations to tune; useful when orientation carries meaning (digits, documents).'
  },
  {
    name: 'masked-image',
    family: 'generative',
    modality: 'image',
    usesAugment: false,
    summary:
      'Random square patches are hidden and the network reconstructs the full image; only the hidden pixels count in the loss.',
    whenToUse:
      'When local structure matters (textures, defects, medical images) and good view augmentations are hard to define.'
  }
];

/** Builds a pretext task by name, e.g. createTask('byol', { encoder }). */
export function createTask(
  method: string,
  options: { encoder: LayersModel } & Record<string, unknown>
): PretextTask {
  const name = String(method).toLowerCase();
  switch (name) {
    case 'simclr':
      return simclr(options);
    case 'byol':
      return byol(options);
    case 'vicreg':
      return vicreg(options);
    case 'barlow':
      return vicreg({ ...options, loss: 'barlow' });
    case 'rotation':
      return rotation(options as { encoder: LayersModel });
    case 'masked-image':
      return maskedImage(options as { encoder: LayersModel });
  }
  const known = METHODS.map(m => m.name);
  const [closest] = closestNames(name, known);
  throw new PretextError(
    `Unknown pretext task '${method}'. Known: ${known.join(', ')}.`,
    `Did you mean '${closest}'? Use createTask('${closest}', { encoder }).`
  );
}
