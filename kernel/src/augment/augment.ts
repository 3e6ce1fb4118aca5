import type { Tensor, Tensor4D } from '../backend/tf';

/**
 * What an augmentation does, as plain JSON: recorded in a run's config and model card.
 * `op` names the factory (e.g. 'randomResizedCrop'); the other fields are its settings.
 */
export interface AugmentSpec {
  op: string;
  [setting: string]: unknown;
}

/**
 * A batched image augmentation: [batch, height, width, channels] in, same shape out, values
 * in [0, 1]. All randomness derives from `seed`, so the same seed gives the same views.
 * Augmentations built by Pretext also carry a `spec` describing their settings; a plain
 * function is still a valid ImageAugment.
 */
export type ImageAugment = ((images: Tensor4D, seed: number) => Tensor4D) & {
  readonly spec?: AugmentSpec;
};

/**
 * A batched augmentation of any modality: a batch in, a batch of the same shape out, all
 * randomness from `seed`. Written as a method signature on purpose: method parameters are
 * bivariant in TypeScript, so an ImageAugment (which takes Tensor4D) is also an InputAugment.
 */
export type InputAugment = { augment(inputs: Tensor, seed: number): Tensor }['augment'] & {
  readonly spec?: AugmentSpec;
};

/** The JSON description of an augmentation, or `{ op: 'custom' }` for a plain function. */
export function describeAugment(augment: InputAugment): AugmentSpec {
  return augment.spec ?? { op: 'custom', name: augment.name || undefined };
}

/** Attaches a spec to an augmentation function. */
export function withSpec(
  fn: (images: Tensor4D, seed: number) => Tensor4D,
  spec: AugmentSpec
): ImageAugment {
  return Object.assign(fn, { spec }) as ImageAugment;
}
