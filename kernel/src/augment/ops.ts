/**
 * Batched image augmentations as tensor ops on the backend. Each factory validates its options
 * up front and returns an ImageAugment: [B, H, W, C] float32 images in [0, 1] in, a new tensor of
 * the same shape and dtype out (the caller disposes it), clipped to [0, 1]. Per-sample random
 * parameters come from `rng(seed)` (a handful of numbers per sample), pixel noise from a seeded
 * tf.randomNormal, so the same seed always gives the same views.
 */
import { tf, type Tensor, type Tensor4D } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed, rng } from '../util/random';
import { withSpec, type ImageAugment } from './augment';

export type Range = [number, number];

export interface RandomResizedCropOptions {
  /** Fraction of the image area kept, drawn per sample from [min, max]; within (0, 1]. */
  scale?: Range;
  /** Aspect ratio (width / height) of the crop, drawn log-uniformly per sample from [min, max]. */
  ratio?: Range;
}

export interface HorizontalFlipOptions {
  /** Probability that a sample is mirrored left-right. */
  p?: number;
}

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

export interface CutoutOptions {
  /** Side of the erased rectangle as a fraction of the image side, in (0, 1]. */
  size?: number;
  /** Probability that a sample gets a hole. */
  p?: number;
  /** Value written into the hole, in [0, 1]. */
  value?: number;
}

// ---------------------------------------------------------------------------------------------
// Validation helpers (all run before any tensor work)

/** Validates a batch of images and a seed before any tensor work (shared by the image ops). */
export function checkImages(what: string, images: Tensor4D, seed: number): void {
  check(
    images instanceof tf.Tensor,
    `${what} expects a tensor of images, got ${images === null ? 'null' : typeof images}.`,
    'Pass a tf.Tensor4D of shape [batch, height, width, channels] with values in [0, 1].'
  );
  check(
    !images.isDisposed,
    `${what} was given a tensor that has already been disposed.`,
    'Keep the image tensor alive until the augmentation has returned.'
  );
  check(
    images.rank === 4,
    `${what} expects images of shape [batch, height, width, channels], got shape [${images.shape.join(', ')}].`,
    'Add the missing batch dimension (images.expandDims(0)) or channel dimension (images.expandDims(-1)).'
  );
  check(
    images.shape.every(d => d > 0),
    `${what} was given an empty batch of shape [${images.shape.join(', ')}].`,
    'Pass at least one image with non-zero height, width and channels.'
  );
  check(
    images.dtype === 'float32',
    `${what} expects float32 images in [0, 1], got dtype ${images.dtype}.`,
    'Convert first, e.g. images.toFloat().div(255) for 8-bit pixels.'
  );
  check(
    typeof seed === 'number' && Number.isFinite(seed),
    `${what} needs a finite numeric seed, got ${String(seed)}.`,
    'Pass an integer seed, e.g. deriveSeed(runSeed, step).'
  );
}

function checkProbability(what: string, p: number): void {
  check(
    typeof p === 'number' && p >= 0 && p <= 1,
    `${what}: p must be a probability in [0, 1], got ${String(p)}.`,
    'Pass p between 0 (never apply) and 1 (always apply).'
  );
}

function checkRange(
  what: string,
  name: string,
  value: unknown,
  lo: number,
  hi: number,
  loOpen: boolean
): asserts value is Range {
  const ok =
    Array.isArray(value) &&
    value.length === 2 &&
    value.every(v => typeof v === 'number' && Number.isFinite(v)) &&
    value[0] <= value[1] &&
    (loOpen ? value[0] > lo : value[0] >= lo) &&
    value[1] <= hi;
  const bounds = `${loOpen ? '(' : '['}${lo}, ${hi === Infinity ? 'inf)' : `${hi}]`}`;
  check(
    ok,
    `${what}: ${name} must be a [min, max] pair with min <= max, both within ${bounds}; got ${JSON.stringify(value)}.`,
    `Pass ${name} as two numbers, e.g. [${Math.max(lo, 0.1)}, ${hi === Infinity ? 2 : hi}].`
  );
}

function checkNumber(what: string, name: string, value: unknown, lo: number, hi: number): void {
  check(
    typeof value === 'number' && Number.isFinite(value) && value >= lo && value <= hi,
    `${what}: ${name} must be a number in [${lo}, ${hi === Infinity ? 'inf)' : `${hi}]`}, got ${String(value)}.`,
    `Pass ${name} within that range.`
  );
}

/** A per-sample coin flip with probability p. */
function coins(random: () => number, n: number, p: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) {
    out.push(random() < p);
  }
  return out;
}

function lerp(random: () => number, [lo, hi]: Range): number {
  return lo + (hi - lo) * random();
}

// ---------------------------------------------------------------------------------------------
// Ops

/**
 * Crops a random box per sample (area fraction from `scale`, aspect ratio from `ratio`) and
 * resizes it back to the input size with bilinear sampling (tf.image.cropAndResize). Boxes that
 * do not fit after 10 draws fall back to the largest centred crop with an allowed ratio, as in
 * torchvision. scale [1, 1] with ratio [1, 1] on a square image is the identity.
 */
export function randomResizedCrop(options: RandomResizedCropOptions = {}): ImageAugment {
  const what = 'randomResizedCrop';
  checkOptionNames(what, options, ['scale', 'ratio']);
  const scale = options.scale ?? [0.08, 1];
  const ratio = options.ratio ?? [3 / 4, 4 / 3];
  checkRange(what, 'scale', scale, 0, 1, true);
  checkRange(what, 'ratio', ratio, 0, Infinity, true);
  const logRatio: Range = [Math.log(ratio[0]), Math.log(ratio[1])];

  return withSpec(
    (images, seed) => {
      checkImages(what, images, seed);
      const [b, h, w] = images.shape;
      const random = rng(seed);
      const boxes = new Float32Array(b * 4);
      for (let i = 0; i < b; i++) {
        let ch = h;
        let cw = w;
        let y0 = 0;
        let x0 = 0;
        let found = false;
        for (let attempt = 0; attempt < 10 && !found; attempt++) {
          const area = lerp(random, scale) * h * w;
          const r = Math.exp(lerp(random, logRatio));
          const tw = Math.sqrt(area * r);
          const th = Math.sqrt(area / r);
          if (tw <= w && th <= h) {
            cw = tw;
            ch = th;
            x0 = random() * (w - cw);
            y0 = random() * (h - ch);
            found = true;
          }
        }
        if (!found) {
          const inRatio = w / h;
          if (inRatio < ratio[0]) {
            cw = w;
            ch = w / ratio[0];
          } else if (inRatio > ratio[1]) {
            ch = h;
            cw = h * ratio[1];
          } else {
            cw = w;
            ch = h;
          }
          x0 = (w - cw) / 2;
          y0 = (h - ch) / 2;
        }
        boxes.set([y0 / h, x0 / w, (y0 + ch) / h, (x0 + cw) / w], i * 4);
      }
      const boxIndex = Int32Array.from({ length: b }, (_, i) => i);
      return tf.tidy(() => {
        const out = tf.image.cropAndResize(
          images,
          tf.tensor2d(boxes, [b, 4]),
          tf.tensor1d(boxIndex, 'int32'),
          [h, w],
          'bilinear'
        );
        return tf.clipByValue(out, 0, 1);
      });
    },
    { op: what, scale, ratio }
  );
}

/** Mirrors each sample left-right with probability p (default 0.5). */
export function horizontalFlip(options: HorizontalFlipOptions = {}): ImageAugment {
  const what = 'horizontalFlip';
  checkOptionNames(what, options, ['p']);
  const p = options.p ?? 0.5;
  checkProbability(what, p);

  return withSpec(
    (images, seed) => {
      checkImages(what, images, seed);
      const b = images.shape[0];
      const flags = coins(rng(seed), b, p);
      return tf.tidy(() => {
        const mask = tf
          .tensor4d(
            flags.map(f => (f ? 1 : 0)),
            [b, 1, 1, 1],
            'int32'
          )
          .cast('bool');
        const flipped = tf.where(mask, tf.reverse(images, 2), images);
        return tf.clipByValue(flipped, 0, 1) as Tensor4D;
      });
    },
    { op: what, p }
  );
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

/**
 * Erases one axis-aligned rectangle per selected sample (probability p), of side `size` times the
 * image side, placed uniformly so it lies fully inside the image; the hole is filled with `value`
 * (default 0, the background of digit-like images). Expected erased area: p * size^2.
 */
export function cutout(options: CutoutOptions = {}): ImageAugment {
  const what = 'cutout';
  checkOptionNames(what, options, ['size', 'p', 'value']);
  const size = options.size ?? 0.25;
  const p = options.p ?? 0.5;
  const value = options.value ?? 0;
  check(
    typeof size === 'number' && size > 0 && size <= 1,
    `${what}: size must be a fraction of the image side in (0, 1], got ${String(size)}.`,
    'Pass size such as 0.25 (a hole a quarter of the image wide and high).'
  );
  checkProbability(what, p);
  checkNumber(what, 'value', value, 0, 1);

  return withSpec(
    (images, seed) => {
      checkImages(what, images, seed);
      const [b, h, w] = images.shape;
      const hh = Math.max(1, Math.round(size * h));
      const ww = Math.max(1, Math.round(size * w));
      const random = rng(seed);
      const top = new Float32Array(b);
      const bottom = new Float32Array(b);
      const left = new Float32Array(b);
      const right = new Float32Array(b);
      for (let i = 0; i < b; i++) {
        const on = random() < p;
        const y0 = Math.floor(random() * (h - hh + 1));
        const x0 = Math.floor(random() * (w - ww + 1));
        top[i] = y0;
        bottom[i] = on ? y0 + hh : y0;
        left[i] = x0;
        right[i] = on ? x0 + ww : x0;
      }
      return tf.tidy(() => {
        const rows = tf.reshape(tf.range(0, h, 1, 'float32'), [1, h, 1, 1]);
        const cols = tf.reshape(tf.range(0, w, 1, 'float32'), [1, 1, w, 1]);
        const inRows = tf.logicalAnd(
          tf.greaterEqual(rows, tf.tensor4d(top, [b, 1, 1, 1])),
          tf.less(rows, tf.tensor4d(bottom, [b, 1, 1, 1]))
        );
        const inCols = tf.logicalAnd(
          tf.greaterEqual(cols, tf.tensor4d(left, [b, 1, 1, 1])),
          tf.less(cols, tf.tensor4d(right, [b, 1, 1, 1]))
        );
        const hole = tf.logicalAnd(inRows, inCols);
        const out = tf.where(hole, tf.fill(images.shape, value), images);
        return tf.clipByValue(out, 0, 1) as Tensor4D;
      });
    },
    { op: what, size, p, value }
  );
}
