/**
 * Seeded randomness. Every random choice in Pretext (splits, shuffles, augmentation seeds)
 * comes from here, so a run with the same seed is repeatable.
 */
import { PretextError } from './errors';

/** A small, fast 32-bit PRNG (mulberry32); returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seeded Fisher-Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    order[i] = i;
  }
  const random = rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

/** A 32-bit avalanche mix (murmur3's finaliser): nearby inputs give unrelated outputs. */
function mix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Derives an independent integer seed for a sub-stream (e.g. one step's augmentation). Every
 * input is mixed before it is combined, so (seed, parts) tuples do not collide by XOR symmetry.
 */
export function deriveSeed(seed: number, ...parts: number[]): number {
  let h = mix32(seed ^ 0x9e3779b9);
  for (const part of parts) {
    h = mix32(h + mix32((part >>> 0) + 0x7f4a7c15));
  }
  // tfjs random ops take seeds as float64; keep them in the safe integer range.
  return h % 2147483647;
}

/**
 * A seed must be an integer: a string such as '7' is refused with its quotes shown (it would
 * otherwise seed as 0 or read as "got 7").
 */
export function checkSeed(what: string, seed: unknown): void {
  if (Number.isInteger(seed)) {
    return;
  }
  const got = typeof seed === 'string' ? `the string ${JSON.stringify(seed)}` : String(seed);
  throw new PretextError(
    `${what}: seed must be an integer, got ${got}.`,
    typeof seed === 'string' && Number.isInteger(Number(seed)) && seed.trim() !== ''
      ? `Pass the number: seed: ${Number(seed)} (without quotes).`
      : 'Pass an integer, e.g. seed: 0.'
  );
}
