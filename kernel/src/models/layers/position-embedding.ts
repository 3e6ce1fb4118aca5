import { tf, type Tensor } from '../../backend/tf';
import { normalInit, single, type LayerArgs, type Shape } from './base';

type LayerVariable = ReturnType<InstanceType<typeof tf.layers.Layer>['addWeight']>;

/**
 * Adds a learned vector per position to token embeddings [batch, length, dim]: attention
 * alone is blind to word order, so each position gets its own trainable offset (as BERT).
 */
export class PositionEmbedding extends tf.layers.Layer {
  static className = 'PretextPositionEmbedding';
  readonly seed?: number;
  private table?: LayerVariable;

  constructor(args: LayerArgs & { seed?: number } = {}) {
    super(args);
    this.seed = args.seed;
  }

  build(inputShape: Shape | Shape[]): void {
    const [, length, dim] = inputShape as Shape;
    if (length === null || dim === null) {
      throw new Error('PositionEmbedding needs a fixed sequence length and width.');
    }
    this.table = this.addWeight(
      'embeddings',
      [length, dim],
      'float32',
      normalInit(0.02, this.seed)
    );
    this.built = true;
  }

  computeOutputShape(inputShape: Shape | Shape[]): Shape {
    return inputShape as Shape;
  }

  call(inputs: Tensor | Tensor[]): Tensor {
    return tf.tidy(() => tf.add(single(inputs), this.table!.read()));
  }

  getConfig() {
    return { ...super.getConfig(), ...(this.seed === undefined ? {} : { seed: this.seed }) };
  }
}
tf.serialization.registerClass(PositionEmbedding);
