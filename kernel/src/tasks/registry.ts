/** Builds pretext tasks by the names in the catalog. */
import type { LayersModel } from '../backend/tf';
import { PretextError } from '../util/errors';
import { closestNames } from '../util/names';
import { byol } from './byol';
import { METHODS } from './catalog';
import { maskedImage } from './masked-image';
import { rotation } from './rotation';
import { simclr } from './simclr';
import type { PretextTask } from './task';
import { vicreg } from './vicreg';

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

export { METHODS, type MethodInfo, type Modality } from './catalog';
