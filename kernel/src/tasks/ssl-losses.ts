/**
 * Losses for the non-contrastive and redundancy-reduction methods (BYOL, VICReg, Barlow Twins).
 * Pure tensor code; each returns a scalar and is safe inside an optimiser's tape.
 */
import { tf, type Scalar, type Tensor2D } from '../backend/tf';
import { check } from '../util/errors';

function checkPair(what: string, z1: Tensor2D, z2: Tensor2D): void {
  check(
    z1.rank === 2 && z2.rank === 2 && z1.shape.join() === z2.shape.join(),
    `${what}: both embeddings must be [batch, dim] of the same shape, got [${z1.shape.join(', ')}] and [${z2.shape.join(', ')}].`,
    'Pass the two views’ embeddings from the same head.'
  );
}

/** BYOL's regression loss, mean over the batch of 2 - 2 cos(p, z); z is treated as a constant. */
export function byolLoss(p: Tensor2D, z: Tensor2D): Scalar {
  checkPair('byolLoss', p, z);
  return tf.tidy(() => {
    const pn = tf.div(p, tf.add(tf.norm(p, 2, 1, true), 1e-12));
    const zn = tf.div(z, tf.add(tf.norm(z, 2, 1, true), 1e-12));
    const cos = tf.sum(tf.mul(pn, zn), 1);
    return tf.mean(tf.sub(2, tf.mul(2, cos))) as Scalar;
  });
}

export interface VicregWeights {
  lambdaInvariance?: number;
  muVariance?: number;
  nuCovariance?: number;
}

export const VICREG_WEIGHTS = { lambdaInvariance: 25, muVariance: 25, nuCovariance: 1 } as const;

function varianceTerm(z: Tensor2D): Scalar {
  const n = z.shape[0];
  const centred = tf.sub(z, tf.mean(z, 0, true));
  const variance = tf.div(tf.sum(tf.square(centred), 0), Math.max(1, n - 1));
  const std = tf.sqrt(tf.add(variance, 1e-4));
  return tf.mean(tf.relu(tf.sub(1, std))) as Scalar;
}

function covarianceTerm(z: Tensor2D): Scalar {
  const [n, d] = z.shape;
  const centred = tf.sub(z, tf.mean(z, 0, true));
  const cov = tf.div(tf.matMul(centred, centred, true, false), Math.max(1, n - 1));
  const offDiagonal = tf.mul(cov, tf.sub(1, tf.eye(d)));
  return tf.div(tf.sum(tf.square(offDiagonal)), d) as Scalar;
}

/**
 * VICReg (Bardes et al., 2022): lambda * MSE(z1, z2) + mu * variance hinge (std >= 1, eps 1e-4,
 * averaged over the two views) + nu * off-diagonal covariance (squared sum / dim, summed over views).
 */
export function vicregLoss(z1: Tensor2D, z2: Tensor2D, weights: VicregWeights = {}): Scalar {
  checkPair('vicregLoss', z1, z2);
  const lambda = weights.lambdaInvariance ?? VICREG_WEIGHTS.lambdaInvariance;
  const mu = weights.muVariance ?? VICREG_WEIGHTS.muVariance;
  const nu = weights.nuCovariance ?? VICREG_WEIGHTS.nuCovariance;
  return tf.tidy(() => {
    const invariance = tf.mean(tf.square(tf.sub(z1, z2)));
    const variance = tf.div(tf.add(varianceTerm(z1), varianceTerm(z2)), 2);
    const covariance = tf.add(covarianceTerm(z1), covarianceTerm(z2));
    return tf.addN([
      tf.mul(lambda, invariance),
      tf.mul(mu, variance),
      tf.mul(nu, covariance)
    ]) as Scalar;
  });
}

/**
 * Barlow Twins (Zbontar et al., 2021): cross-correlation C of the batch-standardised embeddings;
 * sum of (1 - C_ii)^2 plus lambda times the sum of off-diagonal C_ij^2.
 */
export function barlowTwinsLoss(z1: Tensor2D, z2: Tensor2D, lambda = 5e-3): Scalar {
  checkPair('barlowTwinsLoss', z1, z2);
  return tf.tidy(() => {
    const [n, d] = z1.shape;
    const standardise = (z: Tensor2D) => {
      const { mean, variance } = tf.moments(z, 0, true);
      return tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, 1e-5)));
    };
    const c = tf.div(tf.matMul(standardise(z1), standardise(z2), true, false), n);
    const eye = tf.eye(d);
    const onDiagonal = tf.sum(tf.square(tf.mul(tf.sub(1, c), eye)));
    const offDiagonal = tf.sum(tf.square(tf.mul(c, tf.sub(1, eye))));
    return tf.add(onDiagonal, tf.mul(lambda, offDiagonal)) as Scalar;
  });
}
