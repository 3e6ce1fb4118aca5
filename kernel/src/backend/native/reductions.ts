/**
 * Mean and Sum gradients as one broadcast. tfjs multiplies the reshaped dy by a full-size
 * `ones` tensor (Fill + Mul, and for Mean a full-size RealDiv too); a global average pool's
 * gradient is then three full-size passes where one Tile suffices. Scaling by 1/n happens on
 * the small dy, before the broadcast.
 */
import type { NativeGradient } from './grad-config';
import type { TF } from './ops';
import type * as tfTypes from '@tensorflow/tfjs-node';

type Tensor = tfTypes.Tensor;

function broadcastBack(tf: TF, dy: Tensor, x: Tensor, axis: unknown, mean: boolean): Tensor {
  const axes = tf.util.parseAxisParam(axis as number | number[], x.shape);
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return tf.tidy(() => {
    const small = tf.reshape(mean ? tf.div(dy, count) : dy, kept);
    return tf.broadcastTo(small, x.shape);
  });
}

export function reductionGradients(): NativeGradient[] {
  const covered = (dy: Tensor, x: Tensor) => dy.dtype === 'float32' && x.dtype === 'float32';
  return [
    {
      kernelName: 'Mean',
      grad: (tf, dy, [x], attrs) =>
        covered(dy, x) ? { x: () => broadcastBack(tf, dy, x, attrs.axis, true) } : undefined
    },
    {
      kernelName: 'Sum',
      grad: (tf, dy, [x], attrs) =>
        covered(dy, x) ? { x: () => broadcastBack(tf, dy, x, attrs.axis, false) } : undefined
    }
  ];
}
