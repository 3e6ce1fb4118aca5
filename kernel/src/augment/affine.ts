/**
 * Random affine views (rotation, shift, scale) as one batched tensor op: TensorFlow's
 * ImageProjectiveTransformV3 kernel (bilinear, constant fill), which tfjs-node does not
 * register and Pretext calls natively (backend/native/image-transform.ts). Where a TF build
 * lacks it, the sampling grid is computed per sample in JS and the output bilinearly
 * interpolated with a single gatherND over the four neighbours of every source point; both
 * give the same views within float32 rounding (test/kernel/augment/affine-paths.test.ts).
 * Points that fall outside the image take `fill` (0: the background of digit-like images).
 */
import { tf, type Tensor4D } from '../backend/tf';
import {
  projectiveTransform,
  projectiveTransformAvailable
} from '../backend/native/image-transform';
import { check, checkOptionNames } from '../util/errors';
import { rng } from '../util/random';
import { withSpec, type ImageAugment } from './augment';
import { checkImages } from './op-checks';

/** One sample's transform, applied about the image centre: rotate, scale, then shift. */
export interface AffineParams {
  /** Rotation in degrees, counter-clockwise as the image is viewed. */
  angle: number;
  /** Zoom factor: below 1 shrinks the content (the view shows more border). */
  scale: number;
  /** Shift right, in pixels. */
  tx: number;
  /** Shift down, in pixels. */
  ty: number;
}

export interface RandomAffineOptions {
  /** Rotation drawn uniformly from [-degrees, degrees] (default 15). */
  degrees?: number;
  /** Shift drawn per axis from [-translate, translate] times the side (default 0.1). */
  translate?: number;
  /** Zoom factor drawn from [min, max] (default [0.7, 1]). */
  scale?: [number, number];
  /** Value of pixels mapped from outside the image, in [0, 1] (default 0). */
  fill?: number;
}

/**
 * Applies one affine transform per sample (`params[i]` to image i) with bilinear sampling.
 * Identity parameters return the input values exactly.
 */
export function affineTransform(
  images: Tensor4D,
  params: readonly AffineParams[],
  fill = 0
): Tensor4D {
  const theta = affineCoefficients(images, params);
  if (images.dtype === 'float32' && projectiveTransformAvailable(tf)) {
    const [b, h, w] = images.shape;
    const [cx, cy] = [(w - 1) / 2, (h - 1) / 2];
    // TF's coefficients per image map pixel (x, y) itself: source = [t0 t1 t2; t3 t4 t5] ·
    // (x, y, 1), t6 = t7 = 0; the centre moves into the offsets (u = x - cx, v = y - cy).
    const transforms = new Float32Array(8 * b);
    for (let i = 0; i < b; i++) {
      const [a00, a01, bx] = [theta[i], theta[2 * b + i], theta[4 * b + i]];
      const [a10, a11, by] = [theta[b + i], theta[3 * b + i], theta[5 * b + i]];
      const [ox, oy] = [bx - a00 * cx - a01 * cy, by - a10 * cx - a11 * cy];
      transforms.set([a00, a01, ox, a10, a11, oy, 0, 0], 8 * i);
    }
    return tf.tidy(
      () => tf.clipByValue(projectiveTransform(tf, images, transforms, fill), 0, 1) as Tensor4D
    );
  }
  return gatherAffine(images, theta, fill);
}

/**
 * The same views through a JS sampling grid and one gatherND (the path for TF builds without
 * ImageProjectiveTransformV3); exported so tests can hold both paths to each other.
 */
export function affineTransformGather(
  images: Tensor4D,
  params: readonly AffineParams[],
  fill = 0
): Tensor4D {
  return gatherAffine(images, affineCoefficients(images, params), fill);
}

/**
 * Per-sample inverse maps about the image centre, as rows [x coefficients | y coefficients |
 * offsets] of b columns each: output pixel (u, v) from the centre reads the source at
 * (theta[i] u + theta[2b + i] v + theta[4b + i], theta[b + i] u + theta[3b + i] v + theta[5b + i]).
 */
function affineCoefficients(images: Tensor4D, params: readonly AffineParams[]): Float32Array {
  checkImages('affineTransform', images, 0);
  const [b, h, w] = images.shape;
  check(
    Array.isArray(params) && params.length === b,
    `affineTransform needs one parameter set per image: got ${Array.isArray(params) ? params.length : typeof params} for ${b} images.`,
    'Pass an array of { angle, scale, tx, ty } with one entry per image in the batch.'
  );
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  // Output pixel (u, v) about the centre reads the source at A·(u - tx, v - ty) + centre,
  // with A the inverse of rotate-then-scale. Columns: [x coefficients | y coefficients] per sample.
  const theta = new Float32Array(3 * 2 * b);
  params.forEach((p, i) => {
    check(
      [p.angle, p.scale, p.tx, p.ty].every(Number.isFinite) && p.scale > 0,
      `affineTransform: parameters of image ${i} must be finite with scale > 0, got ${JSON.stringify(p)}.`,
      'Use e.g. { angle: 10, scale: 0.9, tx: 1, ty: -2 }.'
    );
    // Image rows grow downwards, so a counter-clockwise view rotation is a negative angle here.
    const a = (-p.angle * Math.PI) / 180;
    const cos = Math.cos(a) / p.scale;
    const sin = Math.sin(a) / p.scale;
    // Inverse rotation: x_src = cos*u + sin*v, y_src = -sin*u + cos*v (after removing the shift).
    const col = (row: number, k: number) => row * 2 * b + k * b + i;
    theta[col(0, 0)] = cos;
    theta[col(1, 0)] = sin;
    theta[col(2, 0)] = -(cos * p.tx + sin * p.ty) + cx;
    theta[col(0, 1)] = -sin;
    theta[col(1, 1)] = cos;
    theta[col(2, 1)] = -(-sin * p.tx + cos * p.ty) + cy;
  });
  return theta;
}

function gatherAffine(images: Tensor4D, theta: Float32Array, fill: number): Tensor4D {
  const [b, h, w, c] = images.shape;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  // The sampling grid is plain arithmetic on b*h*w points, cheapest in JS; the interpolation
  // (one gather of the four neighbours and their weighted sum) runs on the backend.
  const n = h * w;
  const indices = new Int32Array(4 * b * n);
  const weights = new Float32Array(4 * b * n);
  const outside = fill === 0 ? undefined : new Float32Array(b * n);
  for (let i = 0; i < b; i++) {
    const [a00, a01, bx] = [theta[i], theta[2 * b + i], theta[4 * b + i]];
    const [a10, a11, by] = [theta[b + i], theta[3 * b + i], theta[5 * b + i]];
    for (let y = 0; y < h; y++) {
      const v = y - cy;
      for (let x = 0; x < w; x++) {
        const u = x - cx;
        const sx = a00 * u + a01 * v + bx;
        const sy = a10 * u + a11 * v + by;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        const k = i * n + y * w + x;
        let missing = 0;
        for (let corner = 0; corner < 4; corner++) {
          const xi = x0 + (corner & 1);
          const yi = y0 + (corner >> 1);
          const weight = (corner & 1 ? fx : 1 - fx) * (corner >> 1 ? fy : 1 - fy);
          const slot = corner * b * n + k;
          if (xi >= 0 && xi < w && yi >= 0 && yi < h) {
            indices[slot] = i * n + yi * w + xi;
            weights[slot] = weight;
          } else {
            missing += weight;
          }
        }
        if (outside) {
          outside[k] = missing * fill;
        }
      }
    }
  }

  return tf.tidy(() => {
    const flat = tf.reshape(images, [b * n, c]);
    // gatherND: on TF's CPU kernels about 10x faster than gather for 800k single-row lookups.
    const picked = tf.reshape(tf.gatherND(flat, tf.tensor2d(indices, [4 * b * n, 1], 'int32')), [
      4,
      b * n,
      c
    ]);
    let out = tf.sum(tf.mul(picked, tf.tensor3d(weights, [4, b * n, 1])), 0);
    if (outside) {
      out = tf.add(out, tf.tensor2d(outside, [b * n, 1]));
    }
    return tf.clipByValue(tf.reshape(out, [b, h, w, c]), 0, 1) as Tensor4D;
  });
}

/**
 * Random affine view per sample: rotation within ±degrees, shift within ±translate of the side,
 * zoom from `scale`, as in the usual MNIST recipe (torchvision RandomAffine(15, (0.1, 0.1),
 * (0.7, 1))). Geometry changes the pixels a lot while keeping the glyph, which is what makes
 * contrastive views of small grayscale images hard enough.
 */
export function randomAffine(options: RandomAffineOptions = {}): ImageAugment {
  const what = 'randomAffine';
  checkOptionNames(what, options, ['degrees', 'translate', 'scale', 'fill']);
  const degrees = options.degrees ?? 15;
  const translate = options.translate ?? 0.1;
  const scale = options.scale ?? [0.7, 1];
  const fill = options.fill ?? 0;
  check(
    typeof degrees === 'number' && degrees >= 0 && degrees <= 180,
    `${what}: degrees must be in [0, 180], got ${String(degrees)}.`,
    'Pass e.g. degrees: 15 (rotations within ±15°).'
  );
  check(
    typeof translate === 'number' && translate >= 0 && translate <= 1,
    `${what}: translate must be a fraction of the side in [0, 1], got ${String(translate)}.`,
    'Pass e.g. translate: 0.1 (shifts within ±10% of the side).'
  );
  check(
    Array.isArray(scale) &&
      scale.length === 2 &&
      scale.every(s => typeof s === 'number' && s > 0 && Number.isFinite(s)) &&
      scale[0] <= scale[1],
    `${what}: scale must be a [min, max] pair of positive numbers with min <= max, got ${JSON.stringify(scale)}.`,
    'Pass e.g. scale: [0.7, 1].'
  );
  check(
    typeof fill === 'number' && fill >= 0 && fill <= 1,
    `${what}: fill must be in [0, 1], got ${String(fill)}.`,
    'Pass the background value, e.g. fill: 0 for dark backgrounds.'
  );

  return withSpec(
    (images, seed) => {
      checkImages(what, images, seed);
      const [b, h, w] = images.shape;
      const random = rng(seed);
      const params: AffineParams[] = [];
      for (let i = 0; i < b; i++) {
        params.push({
          angle: (2 * random() - 1) * degrees,
          scale: scale[0] + (scale[1] - scale[0]) * random(),
          tx: (2 * random() - 1) * translate * w,
          ty: (2 * random() - 1) * translate * h
        });
      }
      return affineTransform(images, params, fill);
    },
    { op: what, degrees, translate, scale, fill }
  );
}
