/**
 * Geometric image augmentations: random resized crop, horizontal flip, cutout. Each factory validates its options up front and returns
 * an ImageAugment: [B, H, W, C] float32 images in [0, 1] in, a new tensor of the same shape and
 * dtype out (the caller disposes it), clipped to [0, 1]. Per-sample random parameters come from
 * `rng(seed)`, pixel noise from a seeded tf.randomNormal, so the same seed gives the same views.
 */
import { tf, type Tensor4D } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { rng } from '../util/random';
import { withSpec, type ImageAugment } from './augment';
import {
  checkImages,
  checkNumber,
  checkProbability,
  checkRange,
  coins,
  lerp,
  type Range
} from './op-checks';

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

export interface CutoutOptions {
  /** Side of the erased rectangle as a fraction of the image side, in (0, 1]. */
  size?: number;
  /** Probability that a sample gets a hole. */
  p?: number;
  /** Value written into the hole, in [0, 1]. */
  value?: number;
}

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
