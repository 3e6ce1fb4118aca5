/**
 * Batch norm in training through TF's fused kernels (`FusedBatchNormV3` forward,
 * `FusedBatchNormGradV3` backward). tfjs-layers' BatchNormalization trains through
 * `tf.moments` + `tf.batchNorm`, whose gradient is a dozen full-size element-wise ops and made
 * BN encoders about 3x slower per step; the fused pair is one pass each way. This replaces
 * the layer's `call` for the cases TF's kernel covers (4-D float32, channels-last, with
 * center and scale), for every BatchNormalization layer in the process, and leaves all
 * others (inference, other axes, ranks, a single value per channel) to the original. Numbers
 * are tfjs's: the normalised output and the moving averages use the biased batch variance.
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import { attrs, nativeKernelMulti, type TF } from './ops';

type Tensor = tfTypes.Tensor;

interface LayerVariable {
  read(): tfTypes.Variable;
  write(value: Tensor): void;
}

/** The BatchNormalization fields the fused path reads (tfjs-layers' own names). */
interface BatchNormLayer {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma?: LayerVariable;
  beta?: LayerVariable;
  movingMean: LayerVariable;
  movingVariance: LayerVariable;
}

type Call = (
  this: BatchNormLayer,
  inputs: Tensor | Tensor[],
  kwargs: Record<string, unknown>
) => Tensor;

let prototype: { call: Call } | undefined;

/** tfjs-layers' BatchNormalization prototype (the class is not exported by tfjs-node). */
export function batchNormPrototype(tf: TF): { call: Call } {
  // An explicit name: an unnamed layer would use up one of the user's auto-generated names.
  prototype ??= Object.getPrototypeOf(
    tf.layers.batchNormalization({ name: 'pretext_bn_probe' })
  ) as { call: Call };
  return prototype;
}

/** Values per channel a 4-D channels-last batch has (what the batch statistics average). */
const values = (x: Tensor) => x.size / (x.shape[3] ?? 1);

export function fusedBatchNormCall(tf: TF, original: Call): Call {
  const forward = nativeKernelMulti(tf, 'FusedBatchNormV3', (backend, inputs, a) => {
    const at = attrs(backend);
    const opAttrs = [
      at.type('T', 'float32'),
      at.type('U', 'float32'),
      at.float('epsilon', a.epsilon as number),
      at.float('exponential_avg_factor', 1),
      at.string('data_format', 'NHWC'),
      at.bool('is_training', true)
    ];
    return backend.executeMultipleOutputs('FusedBatchNormV3', opAttrs, inputs, 6);
  });
  const backward = nativeKernelMulti(tf, 'FusedBatchNormGradV3', (backend, inputs, a) => {
    const at = attrs(backend);
    const opAttrs = [
      at.type('T', 'float32'),
      at.type('U', 'float32'),
      at.float('epsilon', a.epsilon as number),
      at.string('data_format', 'NHWC'),
      at.bool('is_training', true)
    ];
    return backend.executeMultipleOutputs('FusedBatchNormGradV3', opAttrs, inputs, 5);
  });

  return function call(this: BatchNormLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const covered =
      kwargs?.training === true &&
      (!Array.isArray(inputs) || inputs.length === 1) &&
      x.rank === 4 &&
      x.dtype === 'float32' &&
      (this.axis === -1 || this.axis === 3) &&
      this.center &&
      this.scale &&
      this.gamma !== undefined &&
      this.beta !== undefined &&
      values(x) > 1;
    if (!covered) {
      return original.call(this, inputs, kwargs);
    }
    const { epsilon, momentum } = this;
    const count = values(x);
    const gamma = this.gamma!.read();
    const beta = this.beta!.read();
    return tf.tidy(() => {
      let stats: Tensor[] = [];
      const normalize = tf.customGrad((...args: unknown[]) => {
        const [input, scale, offset, save] = args as [
          Tensor,
          Tensor,
          Tensor,
          (tensors: Tensor[]) => void
        ];
        const empty = tf.zeros([0]);
        const [y, mean, unbiased, ...reserve] = forward([input, scale, offset, empty, empty], {
          epsilon
        });
        // The moving averages take the batch mean and the biased variance, kept past this
        // scope. TF's `batch_variance` is Bessel-corrected; undo that rather than read the
        // reserve space, which holds the inverse variance on cuDNN.
        stats = [tf.keep(mean.clone()), tf.keep(tf.mul(unbiased, (count - 1) / count))];
        save([input, scale, ...reserve]);
        return {
          value: y,
          gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
            const [dx, dScale, dOffset] = backward([dy as Tensor, ...saved], { epsilon });
            return [dx, dScale, dOffset];
          }
        };
      });
      const y = normalize(x, gamma, beta) as Tensor;
      const [mean, variance] = stats;
      // The same update (and arithmetic) as tfjs-layers' doMovingAverage.
      const update = (v: LayerVariable, value: Tensor) =>
        tf.tidy(() => {
          const current = v.read();
          v.write(tf.sub(current, tf.mul(tf.sub(current, value), 1 - momentum)));
        });
      update(this.movingMean, mean);
      update(this.movingVariance, variance);
      tf.dispose(stats);
      return y;
    });
  };
}
