/**
 * Chaining augmentations, and the SimCLR-style preset used by the image pretext tasks.
 */
import { tf, type Tensor4D } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { describeAugment, withSpec, type ImageAugment } from './augment';
import { deriveSeed } from '../util/random';
import {
  colorJitter,
  cutout,
  gaussianBlur,
  gaussianNoise,
  horizontalFlip,
  randomResizedCrop,
  type ColorJitterOptions,
  type CutoutOptions,
  type GaussianBlurOptions,
  type GaussianNoiseOptions,
  type HorizontalFlipOptions,
  type RandomResizedCropOptions
} from './ops';

/**
 * Applies `ops` left to right. Op i gets its own seed deriveSeed(seed, i), so adding an op at
 * the end does not change what the earlier ones do. Intermediate views are disposed.
 */
export function compose(...ops: ImageAugment[]): ImageAugment {
  ops.forEach((op, i) =>
    check(
      typeof op === 'function',
      `compose: argument ${i + 1} is ${op === null ? 'null' : typeof op}, not an augmentation.`,
      'Pass augmentation functions, e.g. compose(randomResizedCrop(), gaussianNoise()).'
    )
  );
  return withSpec(
    (images: Tensor4D, seed: number): Tensor4D =>
      tf.tidy(() => {
        let x = images;
        ops.forEach((op, i) => {
          x = op(x, deriveSeed(seed, i));
        });
        // Always hand back a new tensor, so disposing the view never frees the input.
        return x === images ? tf.clone(images) : x;
      }),
    { op: 'compose', ops: ops.map(describeAugment) }
  );
}

/** Each stage of the preset: its options (merged over the defaults), true for defaults, false for off. */
export interface SimclrAugmentOptions {
  crop?: RandomResizedCropOptions | boolean;
  flip?: HorizontalFlipOptions | boolean;
  jitter?: ColorJitterOptions | boolean;
  blur?: GaussianBlurOptions | boolean;
  noise?: GaussianNoiseOptions | boolean;
  cutout?: CutoutOptions | boolean;
}

/**
 * Defaults tuned for small grayscale digits (28x28x1): views stay recognisable to a person.
 * - crop: scale [0.5, 1] (SimCLR's 0.08 cuts most of a digit away), ratio [3/4, 4/3];
 * - flip: off (a mirrored 2 or 7 is a different glyph); turn it on for natural images;
 * - jitter: brightness and contrast 0.4 with p 0.8 (saturation only matters for RGB);
 * - blur: sigma [0.1, 1] px, p 0.5, 5-px kernel (SimCLR uses ~10% of the image side);
 * - noise: std 0.05, p 0.5;
 * - cutout: off.
 */
export const SIMCLR_AUGMENT_DEFAULTS = {
  crop: { scale: [0.5, 1], ratio: [3 / 4, 4 / 3] } as RandomResizedCropOptions,
  flip: { p: 0.5 } as HorizontalFlipOptions,
  jitter: { brightness: 0.4, contrast: 0.4, saturation: 0.4, p: 0.8 } as ColorJitterOptions,
  blur: { sigma: [0.1, 1], p: 0.5, kernelSize: 5 } as GaussianBlurOptions,
  noise: { std: 0.05, p: 0.5 } as GaussianNoiseOptions,
  cutout: { size: 0.25, p: 0.5 } as CutoutOptions
};

const ENABLED_BY_DEFAULT: Record<keyof SimclrAugmentOptions, boolean> = {
  crop: true,
  flip: false,
  jitter: true,
  blur: true,
  noise: true,
  cutout: false
};

/**
 * The SimCLR view generator: crop → flip → jitter → blur → noise → cutout, each stage
 * configurable or switchable. See SIMCLR_AUGMENT_DEFAULTS for what the defaults are and why.
 */
export function simclrAugment(options: SimclrAugmentOptions = {}): ImageAugment {
  const stages = ['crop', 'flip', 'jitter', 'blur', 'noise', 'cutout'] as const;
  checkOptionNames('simclrAugment', options, stages);
  const pick = <T extends object>(name: (typeof stages)[number], defaults: T): T | undefined => {
    const value = options[name];
    check(
      value === undefined || typeof value === 'boolean' || (typeof value === 'object' && value),
      `simclrAugment: ${name} must be true, false or an options object, got ${String(value)}.`,
      `Pass ${name}: false to turn the stage off, or ${name}: { ... } to change its settings.`
    );
    const on = value === undefined ? ENABLED_BY_DEFAULT[name] : value !== false;
    if (!on) return undefined;
    return typeof value === 'object' ? { ...defaults, ...value } : { ...defaults };
  };
  const ops: ImageAugment[] = [];
  const crop = pick('crop', SIMCLR_AUGMENT_DEFAULTS.crop);
  if (crop) ops.push(randomResizedCrop(crop));
  const flip = pick('flip', SIMCLR_AUGMENT_DEFAULTS.flip);
  if (flip) ops.push(horizontalFlip(flip));
  const jitter = pick('jitter', SIMCLR_AUGMENT_DEFAULTS.jitter);
  if (jitter) ops.push(colorJitter(jitter));
  // A user sigma without a kernel size gets a kernel derived from that sigma, not the 5-px default.
  const userBlur = typeof options.blur === 'object' ? options.blur : undefined;
  const blurDefaults =
    userBlur?.sigma && userBlur.kernelSize === undefined
      ? { p: SIMCLR_AUGMENT_DEFAULTS.blur.p }
      : SIMCLR_AUGMENT_DEFAULTS.blur;
  const blur = pick('blur', blurDefaults);
  if (blur) ops.push(gaussianBlur(blur));
  const noise = pick('noise', SIMCLR_AUGMENT_DEFAULTS.noise);
  if (noise) ops.push(gaussianNoise(noise));
  const hole = pick('cutout', SIMCLR_AUGMENT_DEFAULTS.cutout);
  if (hole) ops.push(cutout(hole));
  const composed = compose(...ops);
  return withSpec((images, seed) => composed(images, seed), {
    op: 'simclrAugment',
    stages: describeAugment(composed).ops
  });
}
