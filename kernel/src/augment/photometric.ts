/**
 * Photometric image augmentations: colour jitter, Gaussian blur, Gaussian noise. Each factory validates its options up front and returns
 * an ImageAugment: [B, H, W, C] float32 images in [0, 1] in, a new tensor of the same shape and
 * dtype out (the caller disposes it), clipped to [0, 1]. Per-sample random parameters come from
 * `rng(seed)`, pixel noise from a seeded tf.randomNormal, so the same seed gives the same views.
 */
import { tf, type Tensor, type Tensor4D } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed, rng } from '../util/random';
import { withSpec, type ImageAugment } from './augment';
import {
  checkImages,
  checkNumber,
  checkProbability,
  checkRange,
  lerp,
  type Range
} from './op-checks';

export interface ColorJitterOptions {
  /** Brightness factor drawn from [1 - brightness, 1 + brightness]; multiplies intensities. */
  brightness?: number;
  /** Contrast factor drawn from [1 - contrast, 1 + contrast]; scales distance from the mean. */
  contrast?: number;
  /** Saturation factor drawn from [1 - saturation, 1 + saturation]; 3-channel images only. */
  saturation?: number;
  /** Probability that a sample is jittered at all. */
  p?: number;
}

export interface GaussianBlurOptions {
  /** Blur standard deviation in pixels, drawn per sample from [min, max]. */
  sigma?: Range;
  /** Probability that a sample is blurred. */
  p?: number;
  /** Odd kernel width in pixels; defaults to 2 * ceil(2 * max sigma) + 1. */
  kernelSize?: number;
}

export interface GaussianNoiseOptions {
  /** Noise standard deviation: one value, or a [min, max] range drawn per sample. */
  std?: number | Range;
  /** Probability that a sample gets noise. */
  p?: number;
}

/**
 * Per-sample brightness, contrast and (3-channel only) saturation jitter, applied in that order
 * with clipping after each, to a sample with probability p. On 1-channel images this is
 * intensity and contrast jitter; the saturation setting is ignored there.
 */
export function colorJitter(options: ColorJitterOptions = {}): ImageAugment {
  const what = 'colorJitter';
  checkOptionNames(what, options, ['brightness', 'contrast', 'saturation', 'p']);
  const brightness = options.brightness ?? 0.4;
  const contrast = options.contrast ?? 0.4;
  const saturation = options.saturation ?? 0;
  const p = options.p ?? 0.8;
  checkNumber(what, 'brightness', brightness, 0, Infinity);
  checkNumber(what, 'contrast', contrast, 0, Infinity);
  checkNumber(what, 'saturation', saturation, 0, Infinity);
  checkProbability(what, p);
  const range = (s: number): Range => [Math.max(0, 1 - s), 1 + s];

  return withSpec(
    (images, seed) => {
      checkImages(what, images, seed);
      const [b, , , c] = images.shape;
      const random = rng(seed);
      const bf = new Float32Array(b);
      const cf = new Float32Array(b);
      const sf = new Float32Array(b);
      for (let i = 0; i < b; i++) {
        const on = random() < p;
        const x = lerp(random, range(brightness));
        const y = lerp(random, range(contrast));
        const z = lerp(random, range(saturation));
        bf[i] = on ? x : 1;
        cf[i] = on ? y : 1;
        sf[i] = on ? z : 1;
      }
      return tf.tidy(() => {
        // Blends towards `base` by a per-sample factor: base + f * (x - base), then clips.
        const blend = (x: Tensor4D, base: Tensor | number, f: Float32Array): Tensor4D =>
          tf.clipByValue(
            tf.add(base, tf.mul(tf.sub(x, base), tf.tensor4d(f, [b, 1, 1, 1]))),
            0,
            1
          ) as Tensor4D;
        let x = blend(images, 0, bf);
        x = blend(x, tf.mean(x, [1, 2, 3], true), cf);
        if (c === 3 && saturation > 0) {
          x = blend(x, tf.sum(tf.mul(x, tf.tensor1d([0.299, 0.587, 0.114])), 3, true), sf);
        }
        return x;
      });
    },
    { op: what, brightness, contrast, saturation, p }
  );
}

/**
 * Gaussian blur with a sigma drawn per sample, applied with probability p. Per-sample kernels
 * are done in one pass by folding the batch into the channel axis ([1, H, W, B*C]) and running
 * a separable depthwise convolution (vertical then horizontal) whose filter holds each sample's
 * own 1-D Gaussian; unselected samples get a delta kernel, i.e. stay exactly as they were.
 * Borders use reflect padding so edges are not darkened.
 */
export function gaussianBlur(options: GaussianBlurOptions = {}): ImageAugment {
  const what = 'gaussianBlur';
  checkOptionNames(what, options, ['sigma', 'p', 'kernelSize']);
  const sigma = options.sigma ?? [0.1, 2.0];
  const p = options.p ?? 0.5;
  checkRange(what, 'sigma', sigma, 0, Infinity, true);
  checkProbability(what, p);
  const kernelSize = options.kernelSize ?? 2 * Math.ceil(2 * sigma[1]) + 1;
  check(
    Number.isInteger(kernelSize) && kernelSize >= 1 && kernelSize % 2 === 1,
    `${what}: kernelSize must be an odd positive integer, got ${String(kernelSize)}.`,
    'Pass an odd kernelSize such as 3, 5 or 7 (or leave it out to derive it from sigma).'
  );

  return withSpec(
    (images, seed) => {
      checkImages(what, images, seed);
      const [b, h, w, c] = images.shape;
      // Reflect padding needs the radius to be smaller than each side.
      const radius = Math.min((kernelSize - 1) / 2, h - 1, w - 1);
      const k = 2 * radius + 1;
      const bc = b * c;
      const random = rng(seed);
      const weights = new Float32Array(k * bc);
      for (let i = 0; i < b; i++) {
        const on = random() < p;
        const s = lerp(random, sigma);
        const g = new Float64Array(k);
        if (on) {
          let total = 0;
          for (let j = 0; j < k; j++) {
            g[j] = Math.exp(-((j - radius) ** 2) / (2 * s * s));
            total += g[j];
          }
          for (let j = 0; j < k; j++) {
            g[j] /= total;
          }
        } else {
          g[radius] = 1;
        }
        for (let j = 0; j < k; j++) {
          for (let ch = 0; ch < c; ch++) {
            weights[j * bc + i * c + ch] = g[j];
          }
        }
      }
      return tf.tidy(() => {
        if (radius === 0) {
          return tf.clipByValue(images, 0, 1);
        }
        const folded = tf.reshape(tf.transpose(images, [1, 2, 0, 3]), [1, h, w, bc]) as Tensor4D;
        const vertical = tf.depthwiseConv2d(
          tf.mirrorPad(
            folded,
            [
              [0, 0],
              [radius, radius],
              [0, 0],
              [0, 0]
            ],
            'reflect'
          ),
          tf.tensor4d(weights, [k, 1, bc, 1]),
          1,
          'valid'
        );
        const both = tf.depthwiseConv2d(
          tf.mirrorPad(
            vertical,
            [
              [0, 0],
              [0, 0],
              [radius, radius],
              [0, 0]
            ],
            'reflect'
          ),
          tf.tensor4d(weights, [1, k, bc, 1]),
          1,
          'valid'
        );
        const unfolded = tf.transpose(tf.reshape(both, [h, w, b, c]), [2, 0, 1, 3]) as Tensor4D;
        return tf.clipByValue(unfolded, 0, 1);
      });
    },
    { op: what, sigma, p, kernelSize }
  );
}

/** Adds zero-mean Gaussian pixel noise (std fixed or drawn per sample) with probability p. */
export function gaussianNoise(options: GaussianNoiseOptions = {}): ImageAugment {
  const what = 'gaussianNoise';
  checkOptionNames(what, options, ['std', 'p']);
  const std = options.std ?? 0.05;
  const p = options.p ?? 1;
  if (Array.isArray(std)) {
    checkRange(what, 'std', std, 0, Infinity, false);
  } else {
    checkNumber(what, 'std', std, 0, Infinity);
  }
  checkProbability(what, p);
  const stdRange: Range = Array.isArray(std) ? std : [std, std];

  return withSpec(
    (images, seed) => {
      checkImages(what, images, seed);
      const b = images.shape[0];
      const random = rng(seed);
      const perSample = new Float32Array(b);
      for (let i = 0; i < b; i++) {
        const on = random() < p;
        const s = lerp(random, stdRange);
        perSample[i] = on ? s : 0;
      }
      return tf.tidy(() => {
        const noise = tf.randomNormal(images.shape, 0, 1, 'float32', deriveSeed(seed, 1));
        const scaled = tf.mul(noise, tf.tensor4d(perSample, [b, 1, 1, 1]));
        return tf.clipByValue(tf.add(images, scaled), 0, 1) as Tensor4D;
      });
    },
    { op: what, std, p }
  );
}
