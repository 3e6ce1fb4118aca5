import { tf, type Tensor, type Tensor1D, type Tensor2D } from '../../backend/tf';
import { denseProduct } from '../../backend/native/dense';
import { deriveSeed } from '../../util/random';
import type { LayerArgs, Shape } from './base';

type LayerVariable = ReturnType<InstanceType<typeof tf.layers.Layer>['addWeight']>;

export interface SelfAttentionArgs extends LayerArgs {
  /** Attention heads; the width must divide by it. */
  heads: number;
  seed?: number;
}

/**
 * Multi-head scaled dot-product self-attention with a padding mask (tfjs-layers has none).
 * Inputs: [states [batch, length, dim], mask [batch, length]] with mask 1 at real tokens;
 * padded positions receive no attention, so padding never changes a text's representation.
 * Output: [batch, length, dim] after the output projection.
 */
export class SelfAttention extends tf.layers.Layer {
  static className = 'PretextSelfAttention';
  readonly heads: number;
  readonly seed?: number;
  private kernels: LayerVariable[] = [];
  private biases: LayerVariable[] = [];

  constructor(args: SelfAttentionArgs) {
    super(args);
    this.heads = args.heads;
    this.seed = args.seed;
  }

  build(inputShape: Shape | Shape[]): void {
    const dim = (inputShape as Shape[])[0][2];
    if (dim === null || dim % this.heads !== 0) {
      throw new Error(`SelfAttention: width ${dim} does not divide into ${this.heads} heads.`);
    }
    this.kernels = ['query', 'key', 'value', 'output'].map((role, i) =>
      this.addWeight(
        `${role}_kernel`,
        [dim, dim],
        'float32',
        tf.initializers.glorotUniform(
          this.seed === undefined ? {} : { seed: deriveSeed(this.seed, i) }
        )
      )
    );
    this.biases = ['query', 'key', 'value', 'output'].map(role =>
      this.addWeight(`${role}_bias`, [dim], 'float32', tf.initializers.zeros())
    );
    this.built = true;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return (inputShape as Shape[])[0];
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    const [states, mask] = inputs as Tensor[];
    return tf.tidy(() => {
      const [batch, length, dim] = states.shape;
      const headDim = dim / this.heads;
      const flat = states.reshape([batch * length, dim]) as Tensor2D;
      // The projections through the native dense kernels when they are on (one kernel each way).
      const project = (i: number, x: Tensor2D) =>
        denseProduct(tf, x, this.kernels[i].read() as Tensor2D, this.biases[i].read() as Tensor1D);
      // [batch * length, dim] → [batch, heads, length, headDim]
      const split = (x: Tensor) =>
        x.reshape([batch, length, this.heads, headDim]).transpose([0, 2, 1, 3]);
      const [q, k, v] = [0, 1, 2].map(i => split(project(i, flat)));
      const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(headDim));
      // Large negative scores at padded keys: softmax gives them (numerically) zero weight.
      const blocked = tf.mul(tf.sub(1, mask), -1e9).reshape([batch, 1, 1, length]);
      const weights = tf.softmax(tf.add(scores, blocked));
      const context = tf
        .matMul(weights, v)
        .transpose([0, 2, 1, 3])
        .reshape([batch * length, dim]) as Tensor2D;
      return project(3, context).reshape([batch, length, dim]);
    });
  }

  getConfig() {
    return {
      ...super.getConfig(),
      heads: this.heads,
      ...(this.seed === undefined ? {} : { seed: this.seed })
    };
  }
}
tf.serialization.registerClass(SelfAttention);
