/**
 * Momentum (EMA) targets shared by MoCo and BYOL: a frozen copy of a model whose weights trail
 * the online model's, `target = tau * target + (1 - tau) * online`, with a fixed or cosine
 * schedule for tau.
 */
import { tf, type LayersModel } from '../backend/tf';
import { check } from '../util/errors';

/** A copy of `model`'s architecture and weights, not trainable (the optimiser never sees it). */
export function targetCopy(model: LayersModel, name?: string): LayersModel {
  const clone = rebuild(model);
  clone.setWeights(model.getWeights());
  clone.trainable = false;
  if (name !== undefined) {
    (clone as unknown as { name: string }).name = name;
  }
  return clone;
}

/** Re-builds the architecture from model.getConfig() with fresh (then overwritten) weights. */
function rebuild(model: LayersModel): LayersModel {
  const ctor = model.constructor as unknown as {
    fromConfig: (cls: unknown, config: unknown) => LayersModel;
  };
  return ctor.fromConfig(ctor, model.getConfig());
}

/** `target <- tau * target + (1 - tau) * online`, weight by weight, inside tf.tidy. */
export function emaUpdate(target: LayersModel, online: LayersModel, tau: number): void {
  check(
    typeof tau === 'number' && tau >= 0 && tau <= 1,
    `EMA momentum tau must be between 0 and 1, got ${String(tau)}.`,
    'Pass a momentum such as 0.99.'
  );
  const t = layerWeights(target);
  const o = layerWeights(online);
  check(
    t.length === o.length,
    `EMA target has ${t.length} weights but the online model has ${o.length}.`,
    'Build the target with targetCopy(online).'
  );
  tf.tidy(() => {
    for (let i = 0; i < t.length; i++) {
      t[i].write(tf.add(tf.mul(t[i].read(), tau), tf.mul(o[i].read(), 1 - tau)));
    }
  });
}

/**
 * A model's weights layer by layer. Not `model.weights`: that lists all trainable weights before
 * all non-trainable ones, so in a target copy (trainable = false) a batch-norm layer's gamma and
 * beta move behind earlier layers, and pairing by position would average unrelated tensors.
 * Within one layer the order is the same either way.
 */
function layerWeights(model: LayersModel): LayersModel['weights'] {
  return model.layers.flatMap(layer =>
    'layers' in layer ? layerWeights(layer as LayersModel) : layer.weights
  );
}

/** tau at `step`: fixed, or cosine from tau0 to 1 over `totalSteps` (BYOL's schedule). */
export function tauAt(tau0: number, step: number, totalSteps?: number): number {
  if (totalSteps === undefined || totalSteps <= 0) {
    return tau0;
  }
  const progress = Math.min(1, Math.max(0, step / totalSteps));
  return 1 - ((1 - tau0) * (Math.cos(Math.PI * progress) + 1)) / 2;
}
