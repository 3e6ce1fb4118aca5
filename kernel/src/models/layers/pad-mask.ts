import { tf, type Tensor } from '../../backend/tf';
import { single, type LayerArgs, type Shape } from './base';

/**
 * Token ids [batch, length] → 1 where there is a real token, 0 at padding ([PAD] = id 0):
 * the attention mask and the pooling weights. No weights.
 */
export class PadMask extends tf.layers.Layer {
  static className = 'PretextPadMask';
  readonly padId: number;

  constructor(args: LayerArgs & { padId?: number } = {}) {
    super(args);
    this.padId = args.padId ?? 0;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShape as Shape;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => tf.notEqual(single(inputs), this.padId).toFloat());
  }

  getConfig() {
    return { ...super.getConfig(), padId: this.padId };
  }
}
tf.serialization.registerClass(PadMask);
