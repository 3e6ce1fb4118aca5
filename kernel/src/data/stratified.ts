/**
 * The one stratified sampler. splitForSsl (test / pool / labeled) and the label-efficiency
 * subsets both draw class by class from it, so "10% of the labels" means the same kind of
 * draw everywhere: each class's rows in a seeded random order, the first k taken.
 */
import { permutation } from '../util/random';

/**
 * The rows of `rows` (source indices) grouped by class, each group in a seeded random order,
 * so any prefix of a group is a random, repeatable sample of that class.
 */
export function rowsByClass(
  rows: ArrayLike<number>,
  labels: Int32Array,
  numClasses: number,
  seed: number
): number[][] {
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  // One seeded visiting order over all rows, bucketed by class.
  for (const k of permutation(rows.length, seed)) {
    byClass[labels[rows[k]]].push(rows[k]);
  }
  return byClass;
}

/** Class-balanced rows: `take(classSize)` of each class (capped at its size), sorted. */
export function stratifiedSample(
  rows: ArrayLike<number>,
  labels: Int32Array,
  numClasses: number,
  take: (classSize: number) => number,
  seed: number
): Int32Array {
  const picked: number[] = [];
  for (const members of rowsByClass(rows, labels, numClasses, seed)) {
    picked.push(...members.slice(0, Math.min(members.length, take(members.length))));
  }
  return Int32Array.from(picked).sort();
}
