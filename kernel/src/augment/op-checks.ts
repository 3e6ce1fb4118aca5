/**
 * Option and input checks shared by the image augmentations (all run before any tensor work),
 * and the two per-sample draws they share.
 */
import { tf, type Tensor4D } from '../backend/tf';
import { check } from '../util/errors';

export type Range = [number, number];

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

export function checkProbability(what: string, p: number): void {
  check(
    typeof p === 'number' && p >= 0 && p <= 1,
    `${what}: p must be a probability in [0, 1], got ${String(p)}.`,
    'Pass p between 0 (never apply) and 1 (always apply).'
  );
}

export function checkRange(
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

export function checkNumber(
  what: string,
  name: string,
  value: unknown,
  lo: number,
  hi: number
): void {
  check(
    typeof value === 'number' && Number.isFinite(value) && value >= lo && value <= hi,
    `${what}: ${name} must be a number in [${lo}, ${hi === Infinity ? 'inf)' : `${hi}]`}, got ${String(value)}.`,
    `Pass ${name} within that range.`
  );
}

/** A per-sample coin flip with probability p. */
export function coins(random: () => number, n: number, p: number): boolean[] {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) {
    out.push(random() < p);
  }
  return out;
}

export function lerp(random: () => number, [lo, hi]: Range): number {
  return lo + (hi - lo) * random();
}
