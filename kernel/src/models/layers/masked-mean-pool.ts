import { tf, type Tensor } from '../../backend/tf';
import type { LayerArgs, Shape } from './base';

/**
 * [states [batch, length, dim], mask [batch, length]] → the mean of the states at real
 * tokens [batch, dim]: one vector per text that does not depend on how much padding follows.
 */
export class MaskedMeanPool extends tf.layers.Layer {
  static className = 'PretextMaskedMeanPool';

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [states] = inputShape as Shape[];
    return [states[0], states[2]];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const [states, mask] = inputs as Tensor[];
    return tf.tidy(() => {
      const weights = mask.expandDims(-1);
      const count = tf.maximum(tf.sum(weights, 1), 1);
      return tf.div(tf.sum(tf.mul(states, weights), 1), count);
    });
  }
}
tf.serialization.registerClass(MaskedMeanPool);
