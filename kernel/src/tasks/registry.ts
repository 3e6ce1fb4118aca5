/** Builds pretext tasks by the names in the catalog. */
import type { LayersModel } from '../backend/tf';
import { PretextError } from '../util/errors';
import { closestNames } from '../util/names';
import { byol } from './byol';
import { METHODS } from './catalog';
import { maskedImage } from './masked-image';
import { maskedSeries } from './masked-series';
import { mlm } from './mlm';
import { moco } from './moco';
import { rotation } from './rotation';
import { scarf } from './scarf';
import { seriesContrastive } from './series-contrastive';
import { simclr } from './simclr';
import type { PretextTask } from './task';
import { vicreg } from './vicreg';
import { vime } from './vime';

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
    case 'moco':
      return moco(options);
    case 'vicreg':
      return vicreg(options);
    case 'barlow':
      return vicreg({ ...options, loss: 'barlow' });
    case 'rotation':
      return rotation(options as { encoder: LayersModel });
    case 'masked-image':
      return maskedImage(options as { encoder: LayersModel });
    case 'series-contrastive':
      return seriesContrastive(options);
    case 'masked-series':
      return maskedSeries(options);
    case 'mlm':
      return mlm(options);
    case 'scarf':
      return scarf(options);
    case 'vime':
      return vime(options);
  }
  const known = METHODS.map(m => m.name);
  const [closest] = closestNames(name, known);
  throw new PretextError(
    `Unknown pretext task '${method}'. Known: ${known.join(', ')}.`,
    `Did you mean '${closest}'? Use createTask('${closest}', { encoder }).`
  );
}

export { METHODS, type MethodInfo, type Modality } from './catalog';
