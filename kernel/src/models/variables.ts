import type { LayersModel, Variable } from '../backend/tf';

/**
 * The trainable variables of a layers model, as the tf.Variable objects that
 * `optimizer.minimize(f, returnCost, varList)` updates. (LayerVariable.read() returns the
 * underlying tf.Variable itself, not a copy; non-trainable weights such as batch-norm moving
 * statistics are not included.)
 */
export function modelVariables(model: LayersModel): Variable[] {
  return model.trainableWeights.map(w => w.read() as Variable);
}
