/**
 * Anomaly scores from embeddings: an input far from every normal example in embedding space is
 * suspicious. Score = mean cosine distance to the k nearest reference (normal) embeddings; AUROC
 * measures how well the scores rank true anomalies above normal inputs.
 */
import { tf, type Tensor2D } from '../backend/tf';
import { positiveInteger } from '../options/fields';
import { inputIs, optionsObject, parseOptions, z } from '../options/schema';
import { check } from '../util/errors';
import { l2Normalize } from '../features/embed';

export interface AnomalyOptions {
  /** Neighbours averaged per score (default 5). */
  k?: number;
  /** Query rows per similarity block, bounding memory (default 1024). */
  chunkSize?: number;
}

const anomalyOptions = inputIs<AnomalyOptions>()(
  optionsObject(
    'anomalyScores',
    {
      // Checked against the number of reference rows in anomalyScores().
      k: z.custom<number>().default(5),
      chunkSize: positiveInteger('anomalyScores chunkSize', 'Pass e.g. chunkSize: 1024.').default(
        1024
      )
    },
    {
      problem: v => `anomalyScores options must be an object, got ${String(v)}.`,
      fix: 'Pass e.g. { k: 5 }.'
    }
  )
);

/** One score per query row: higher means further from the reference (normal) data. */
export function anomalyScores(
  reference: Tensor2D,
  queries: Tensor2D,
  options: AnomalyOptions = {}
): Float32Array {
  const { k, chunkSize } = parseOptions(anomalyOptions, options);
  check(
    reference?.rank === 2 && queries?.rank === 2 && reference.shape[1] === queries.shape[1],
    `Reference and query embeddings must be 2-D with the same width, got [${reference?.shape}] and [${queries?.shape}].`,
    'Embed both with the same encoder: embed(encoder, images).'
  );
  check(
    Number.isInteger(k) && k >= 1 && k <= reference.shape[0],
    `k must be an integer between 1 and the ${reference.shape[0]} reference rows, got ${k}.`,
    'Use e.g. k: 5, or add reference data.'
  );
  const scores = new Float32Array(queries.shape[0]);
  const ref = l2Normalize(reference);
  try {
    for (let start = 0; start < queries.shape[0]; start += chunkSize) {
      const size = Math.min(chunkSize, queries.shape[0] - start);
      const block = tf.tidy(() => {
        const q = l2Normalize(tf.slice(queries, [start, 0], [size, -1]));
        const nearest = tf.topk(tf.matMul(q, ref, false, true), k).values;
        return tf.sub(1, tf.mean(nearest, 1)).dataSync();
      });
      scores.set(block, start);
    }
  } finally {
    ref.dispose();
  }
  return scores;
}

/**
 * Area under the ROC curve of `scores` for binary `isAnomaly` labels (1 = anomaly), by the
 * Mann-Whitney U statistic with ties counted half. 1 = perfect ranking, 0.5 = chance.
 */
export function auroc(scores: ArrayLike<number>, isAnomaly: ArrayLike<number | boolean>): number {
  check(
    scores.length === isAnomaly.length && scores.length > 0,
    `auroc got ${scores.length} scores and ${isAnomaly.length} labels.`,
    'Pass one 0/1 anomaly label per score.'
  );
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => scores[a] - scores[b]
  );
  // Average ranks (1-based) over ties.
  const ranks = new Float64Array(scores.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) {
      j++;
    }
    for (let t = i; t <= j; t++) {
      ranks[order[t]] = (i + j) / 2 + 1;
    }
    i = j + 1;
  }
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < scores.length; i++) {
    if (Number(isAnomaly[i]) === 1) {
      positives++;
      rankSum += ranks[i];
    }
  }
  const negatives = scores.length - positives;
  check(
    positives > 0 && negatives > 0,
    `AUROC needs both anomalies and normal examples; got ${positives} anomalies and ${negatives} normal.`,
    'Score a set that contains both kinds, with labels 1 (anomaly) and 0 (normal).'
  );
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
