/** VICReg's loss (Bardes et al., 2022): invariance, variance and covariance terms. */
import { tf, type Scalar, type Tensor2D } from '../backend/tf';
import { checkPair } from './check';

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
 * lambda * MSE(z1, z2) + mu * variance hinge (std >= 1, eps 1e-4, averaged over the two views)
 * + nu * off-diagonal covariance (squared sum / dim, summed over views).
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
