/**
 * Representation health: is the encoder using its dimensions, or collapsing? Measured on
 * embeddings, no labels needed, so it can run live during pretraining.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { tf, type LayersModel, type Tensor, type Tensor2D } from '../backend/tf';
import { check } from '../util/errors';
import { l2Normalize } from './embed';

export interface HealthReport {
  /** Embedding dimension. */
  dim: number;
  /** Mean over dimensions of the std of centred, L2-normalised embeddings; 1/sqrt(dim) when spread evenly, 0 when collapsed. */
  meanStd: number;
  /** meanStd relative to the even-spread value 1/sqrt(dim): about 1 is healthy, near 0 is collapse. */
  stdRatio: number;
  /** exp(entropy) of the normalised singular values: how many dimensions carry variance (1..dim). */
  effectiveRank: number;
  /** effectiveRank / dim. */
  rankRatio: number;
  /** True when the embeddings have collapsed to (nearly) one direction or a low-rank subspace. */
  collapsing: boolean;
}

/** Thresholds below which we call the representation collapsing; generous on purpose. */
export const COLLAPSE_THRESHOLDS = { stdRatio: 0.2, rankRatio: 0.05 } as const;

function checkEmbeddings(z: Tensor2D, what: string): void {
  check(
    z instanceof tf.Tensor && z.rank === 2 && z.shape[0] >= 2,
    `${what} must be a 2-D tensor of at least 2 embeddings, got shape [${z?.shape?.join(', ')}].`,
    'Compute embeddings with embed(encoder, images).'
  );
}

/** Effective rank (Roy & Vetterli, 2007; RankMe) of the centred embeddings. */
export function effectiveRank(z: Tensor2D): number {
  checkEmbeddings(z, 'effectiveRank() input');
  const covariance = tf.tidy(() => {
    const centered = tf.sub(z, tf.mean(z, 0, true));
    return tf.matMul(centered, centered, true, false).div(z.shape[0] - 1) as Tensor2D;
  });
  const values = covariance.arraySync();
  covariance.dispose();
  // Symmetric D x D eigenproblem: small (D <= a few hundred), solved exactly on the CPU.
  const eigen = new EigenvalueDecomposition(new Matrix(values), { assumeSymmetric: true });
  // Singular values of the centred embeddings (sqrt of covariance eigenvalues), as RankMe
  // (Garrido et al., 2023) uses: squared values would let a few large directions hide the rest.
  // Eigenvalues below float32 round-off of the largest are zero, not tiny directions.
  const floor = Math.max(...eigen.realEigenvalues) * 1e-6;
  const spectrum = eigen.realEigenvalues.map(v => (v > floor ? Math.sqrt(v) : 0));
  const total = spectrum.reduce((a, b) => a + b, 0);
  if (total <= 0) {
    return 1;
  }
  let entropy = 0;
  for (const v of spectrum) {
    const p = v / total;
    if (p > 0) {
      entropy -= p * Math.log(p);
    }
  }
  return Math.exp(entropy);
}

export function representationHealth(z: Tensor2D): HealthReport {
  checkEmbeddings(z, 'representationHealth() input');
  const dim = z.shape[1];
  // Centred first: ReLU features share a large mean direction that would hide how spread they are.
  const meanStd = tf.tidy(() => {
    const centred = tf.sub(z, tf.mean(z, 0, true));
    return tf.mean(tf.moments(l2Normalize(centred), 0).variance.sqrt()).dataSync()[0];
  });
  const stdRatio = meanStd * Math.sqrt(dim);
  const rank = effectiveRank(z);
  const rankRatio = rank / dim;
  return {
    dim,
    meanStd,
    stdRatio,
    effectiveRank: rank,
    rankRatio,
    collapsing: stdRatio < COLLAPSE_THRESHOLDS.stdRatio || rankRatio < COLLAPSE_THRESHOLDS.rankRatio
  };
}

/**
 * Alignment and uniformity (Wang & Isola, 2020) on L2-normalised embeddings of positive pairs:
 * alignment = E ||z1 - z2||^2 (lower: views agree), uniformity = log E exp(-2 ||zi - zj||^2)
 * over all pairs (lower: spread over the sphere).
 */
export function alignmentUniformity(
  z1: Tensor2D,
  z2: Tensor2D
): { alignment: number; uniformity: number } {
  checkEmbeddings(z1, 'alignmentUniformity() first views');
  check(
    z2 instanceof tf.Tensor &&
      z2.rank === 2 &&
      z2.shape[0] === z1.shape[0] &&
      z2.shape[1] === z1.shape[1],
    `The two views' embeddings must have the same shape, got [${z1.shape.join(', ')}] and [${z2?.shape?.join(', ')}].`,
    'Embed the same images under two augmentations, in the same order.'
  );
  return tf.tidy(() => {
    const a = l2Normalize(z1);
    const b = l2Normalize(z2);
    const alignment = tf.mean(tf.sum(tf.square(tf.sub(a, b)), 1)).dataSync()[0];
    // ||x - y||^2 = 2 - 2 x.y for unit vectors; exclude the diagonal (i == j).
    const n = a.shape[0];
    const sq = tf.sub(2, tf.mul(2, tf.matMul(a, a, false, true)));
    const off = tf.sub(tf.ones([n, n]), tf.eye(n));
    const sum = tf.sum(tf.mul(tf.exp(tf.mul(-2, sq)), off)).dataSync()[0];
    return { alignment, uniformity: Math.log(sum / (n * (n - 1))) };
  });
}

export function describeHealth(report: HealthReport): string {
  return (
    `effective rank ${report.effectiveRank.toFixed(1)} of ${report.dim} (${(report.rankRatio * 100).toFixed(0)}%), ` +
    `per-dimension std ${(report.stdRatio * 100).toFixed(0)}% of an even spread` +
    (report.collapsing ? ' — COLLAPSING' : '')
  );
}

/**
 * The effective rank of representationHealth (exp entropy of the centred
 * embeddings' singular values), from the n x n Gram matrix instead of the d x d covariance:
 * the same non-zero spectrum, but a 64 x 64 eigenproblem (~ms) where d = 512 takes seconds.
 */
export function gramRank(z: Tensor2D): number {
  const gram = tf.tidy(() => {
    const centred = tf.sub(z, tf.mean(z, 0, true));
    return tf.matMul(centred, centred, false, true).arraySync() as number[][];
  });
  const eigen = new EigenvalueDecomposition(new Matrix(gram), { assumeSymmetric: true });
  const floor = Math.max(...eigen.realEigenvalues) * 1e-6;
  const spectrum = eigen.realEigenvalues.map(v => (v > floor ? Math.sqrt(v) : 0));
  const total = spectrum.reduce((a, b) => a + b, 0);
  if (total <= 0) {
    return 1;
  }
  const entropy = spectrum.reduce((h, v) => (v > 0 ? h - (v / total) * Math.log(v / total) : h), 0);
  return Math.exp(entropy);
}

/** How spread the encoder's embeddings of `probe` are, or undefined for a non-flat encoder. */
export function probeSpread(
  encoder: LayersModel,
  probe: Tensor
): { spread: number; rank: number; dim: number } | undefined {
  const out = tf.tidy(() => encoder.predict(probe));
  if (Array.isArray(out) || out.rank !== 2 || (out.shape[1] ?? 0) < 2) {
    tf.dispose(out);
    return undefined;
  }
  const z = out as Tensor2D;
  try {
    const dim = z.shape[1];
    const spread = tf.tidy(
      () => tf.mean(tf.sqrt(tf.moments(l2Normalize(z), 0).variance)).dataSync()[0]
    );
    return { spread: spread * Math.sqrt(dim), rank: gramRank(z), dim };
  } finally {
    z.dispose();
  }
}
