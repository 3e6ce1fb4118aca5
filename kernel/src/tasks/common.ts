/** Checks and helpers shared by the pretext tasks. */
import type { LayersModel, Variable } from '../backend/tf';
import { describeAugment, type ImageAugment, type InputAugment } from '../augment/augment';
import { simclrAugment } from '../augment/compose';
import { seriesAugment } from '../augment/series';
import { modelInputShape } from '../models/shape';
import { check } from '../util/errors';

/**
 * The encoder must be a tf.LayersModel (of any input shape); `example` is the encoder the fix
 * suggests for this method's data.
 */
export function checkEncoder(
  method: string,
  encoder: unknown,
  example = 'convEncoder({ inputShape: [28, 28, 1] })'
): asserts encoder is LayersModel {
  check(
    encoder !== null &&
      typeof encoder === 'object' &&
      Array.isArray((encoder as LayersModel).inputs) &&
      typeof (encoder as LayersModel).apply === 'function',
    `${method}: encoder is not a tf.LayersModel.`,
    `Pass a model, e.g. ${method}({ encoder: ${example} }).`
  );
}

/** The encoder must be a LayersModel taking [steps, channels] windows (`images`: the method for images). */
export function checkWindowEncoder(
  method: string,
  encoder: unknown,
  images: string
): asserts encoder is LayersModel {
  checkEncoder(method, encoder);
  const shape = modelInputShape(encoder as LayersModel);
  check(
    shape.length === 2,
    `${method}: encoder '${(encoder as LayersModel).name}' takes inputs of shape [${shape.join(', ')}], not windows [steps, channels].`,
    `Use a window encoder, e.g. conv1dEncoder({ inputShape: [64, 3] }); for images use ${images}.`
  );
}

/** The encoder must be a LayersModel taking [height, width, channels] images. */
export function checkImageEncoder(
  method: string,
  encoder: unknown
): asserts encoder is LayersModel {
  checkEncoder(method, encoder);
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

/**
 * For tasks that work on any modality (SimCLR): the given augmentation, or the default view
 * generator for the encoder's inputs — simclrAugment() for images [H, W, C], seriesAugment()
 * for windows [steps, channels]; other inputs must bring their own.
 */
export function inputViewAugment(
  method: string,
  augment: InputAugment | undefined,
  encoder: LayersModel
): InputAugment {
  if (augment === undefined) {
    const shape = modelInputShape(encoder);
    if (shape.length === 3) {
      return simclrAugment() as InputAugment;
    }
    if (shape.length === 2) {
      return seriesAugment() as InputAugment;
    }
    check(
      false,
      `${method}: there is no default augmentation for inputs of shape [${shape.join(', ')}] (encoder '${encoder.name}').`,
      `Pass augment: a function (inputs, seed) => views of the same shape, e.g. ${method}({ encoder, augment: myAugment }).`
    );
  }
  check(
    typeof augment === 'function',
    `${method}: augment must be an augmentation function, got ${typeof augment}.`,
    'Pass e.g. augment: simclrAugment() for images or seriesAugment() for time-series windows.'
  );
  return augment;
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
