/**
 * What the quality benches share: frozen-feature scores (kNN and linear probe) on the same
 * class-balanced label subsets of the pool for every method, and mean ± std over seeds.
 */
import { tf, type Tensor2D } from '../../kernel/src/backend/tf';
import { knnAccuracy } from '../../kernel/src/eval/knn';
import { drawSubset } from '../../kernel/src/eval/label-efficiency';
import { linearProbe } from '../../kernel/src/eval/linear-probe';

export const FRACTIONS = [0.01, 0.1, 1];

/** Accuracy per label fraction, for each protocol. */
export interface FrozenScores {
  knn: number[];
  probe: number[];
}

/**
 * Scores features of every example on class-balanced subsets of `pool` (1 / 10 / 100% by
 * default), testing on `test`. kNN uses the subset as its neighbour bank (k = 20, or the
 * subset's size when smaller); the probe (on unit-length rows, linearProbe's default) tunes its L2 on a held-out 20% of the subset.
 */
export function frozenScores(
  features: Tensor2D,
  labels: Int32Array,
  pool: Int32Array,
  test: Int32Array,
  numClasses: number,
  seed: number,
  options: { fractions?: number[]; knn?: boolean } = {}
): FrozenScores {
  const fractions = options.fractions ?? FRACTIONS;
  const testX = tf.gather(features, tf.tensor1d(test, 'int32')) as Tensor2D;
  const testY = Int32Array.from(test, i => labels[i]);
  const scores: FrozenScores = { knn: [], probe: [] };
  try {
    for (const f of fractions) {
      const rows = drawSubset(pool, labels, numClasses, n => Math.max(1, Math.round(n * f)), seed);
      const trainX = tf.tidy(() => tf.gather(features, tf.tensor1d(rows, 'int32')) as Tensor2D);
      const trainY = Int32Array.from(rows, i => labels[i]);
      try {
        if (options.knn !== false) {
          // k = 20 (solo-learn's monitor) needs ~20 labelled neighbours per class; with 1% of
          // the labels (8 per class on MNIST) k = 20 lets other classes outvote the right one.
          const k = Math.max(1, Math.min(20, Math.floor(rows.length / numClasses)));
          scores.knn.push(knnAccuracy(trainX, trainY, testX, testY, { k, numClasses }));
        }
        scores.probe.push(linearProbe({ trainX, trainY, testX, testY, numClasses, seed }).accuracy);
      } finally {
        trainX.dispose();
      }
    }
  } finally {
    testX.dispose();
  }
  return scores;
}

export const pct = (x: number): string => (x * 100).toFixed(1);
export const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Sample standard deviation (n - 1); 0 for a single seed. */
export const std = (xs: number[]): number =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
/** "97.3 ± 0.2" over seeds, in percent. */
export const meanStd = (xs: number[]): string => `${pct(mean(xs))} ± ${pct(std(xs))}`;
