import { tf, type Tensor } from '../../backend/tf';
import { single, type LayerArgs, type Shape } from './base';

type LayerVariable = ReturnType<InstanceType<typeof tf.layers.Layer>['addWeight']>;

/**
 * Layer normalization over the last axis, with a learned scale and offset. tfjs-layers has
 * one, but its gradient is about 40x slower on [batch, length, dim] states (measured on
 * 32x64x64: 236 ms vs 6 ms of CPU per forward + backward), which made a transformer training
 * step ten times slower; this one is written in plain ops that differentiate cheaply.
 */
export class LayerNorm extends tf.layers.Layer {
  static className = 'PretextLayerNorm';
  readonly epsilon: number;
  private gamma?: LayerVariable;
  private beta?: LayerVariable;

  constructor(args: LayerArgs & { epsilon?: number } = {}) {
    super(args);
    this.epsilon = args.epsilon ?? 1e-6;
  }

  build(inputShape: Shape | Shape[]): void {
    const dim = (inputShape as Shape).at(-1);
    if (dim === null || dim === undefined) {
      throw new Error('LayerNorm needs a fixed last axis.');
    }
    this.gamma = this.addWeight('gamma', [dim], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [dim], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShape as Shape;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => {
      const x = single(inputs);
      const centered = tf.sub(x, tf.mean(x, -1, true));
      const variance = tf.mean(tf.square(centered), -1, true);
      const normalized = tf.mul(centered, tf.rsqrt(tf.add(variance, this.epsilon)));
      return tf.add(tf.mul(normalized, this.gamma!.read()), this.beta!.read());
    });
  }

  getConfig() {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(LayerNorm);
