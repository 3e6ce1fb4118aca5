/** Checks and helpers shared by the image pretext tasks. */
import type { LayersModel, Variable } from '../backend/tf';
import { describeAugment, type ImageAugment } from '../augment/augment';
import { simclrAugment } from '../augment/compose';
import { modelInputShape } from '../models/shape';
import { check } from '../util/errors';

/** The encoder must be a LayersModel taking [height, width, channels] images. */
export function checkImageEncoder(
  method: string,
  encoder: unknown
): asserts encoder is LayersModel {
  check(
    encoder !== null &&
      typeof encoder === 'object' &&
      Array.isArray((encoder as LayersModel).inputs) &&
      typeof (encoder as LayersModel).apply === 'function',
    `${method}: encoder is not a tf.LayersModel.`,
    `Pass a model, e.g. ${method}({ encoder: convEncoder({ inputShape: [28, 28, 1] }) }).`
  );
  const shape = modelInputShape(encoder as LayersModel);
  check(
    shape.length === 3,
    `${method}: encoder '${(encoder as LayersModel).name}' takes inputs of shape [${shape.join(', ')}], not images.`,
    'Image pretext tasks need an image encoder with inputShape [height, width, channels].'
  );
}

/** The given augmentation, or the default view generator; must be a function. */
export function viewAugment(method: string, augment: ImageAugment | undefined): ImageAugment {
  const chosen = augment ?? simclrAugment();
  check(
    typeof chosen === 'function',
    `${method}: augment must be an augmentation function, got ${typeof chosen}.`,
    'Pass e.g. augment: simclrAugment() or compose(randomResizedCrop(), gaussianNoise()).'
  );
  return chosen;
}

export { describeAugment };

/**
 * State variables of several models keyed by role and position (e.g. `target_encoder/3`):
 * stable when the same task is rebuilt, unlike tfjs's counter-suffixed variable names.
 */
export function namedVariables(models: Record<string, LayersModel>): Record<string, Variable> {
  const named: Record<string, Variable> = {};
  for (const [role, model] of Object.entries(models)) {
    model.weights.forEach((weight, i) => {
      named[`${role}/${i}`] = weight.read() as Variable;
    });
  }
  return named;
}
