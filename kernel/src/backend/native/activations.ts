/**
 * Activation gradients through TF's fused element-wise gradient kernels. tfjs builds them from
 * small ops: ReLU's `dy * step(x)` alone is six TF ops on tfjs-node (IsNan, Greater, Fill x2,
 * Select x2) and reads x several times; `ReluGrad` is one pass. Elu is not here: tfjs already
 * routes it to TF's `EluGrad`.
 */
import { attrs, nativeKernel, type NativeKernelGrad, type TF } from './ops';
import type { NativeGradient } from './grad-config';
import type * as tfTypes from '@tensorflow/tfjs-node';

type Tensor = tfTypes.Tensor;

/** `PretextNative<op>` kernels over two float32 tensors of one shape: (a, b) → op(a, b). */
function binaryGrad(tf: TF, op: string, grad: NativeKernelGrad) {
  return nativeKernel(
    tf,
    op,
    (backend, [a, b], kernelAttrs) => {
      const at = attrs(backend);
      const opAttrs = [at.type('T', 'float32')];
      if (kernelAttrs.alpha !== undefined) {
        opAttrs.push(at.float('alpha', kernelAttrs.alpha as number));
      }
      return backend.executeSingleOutput(op, opAttrs, [a, b]);
    },
    { arity: 2, inputs: grad }
  );
}

const covered = (dyDtype: string, t: { dtype: string; shape: number[] }, dy: { shape: number[] }) =>
  dyDtype === 'float32' &&
  t.dtype === 'float32' &&
  t.shape.length === dy.shape.length &&
  t.shape.every((d, i) => d === dy.shape[i]);

export function activationGradients(tf: TF): NativeGradient[] {
  // Second-order rules. The masked ones, g = dy * mask(x): linear in dy, flat in x.
  const masked =
    (self: () => (inputs: Tensor[], a?: Record<string, unknown>) => Tensor): NativeKernelGrad =>
    (ddg, [, x], a) => [() => self()([ddg, x], a), () => tf.zerosLike(x)];
  // Sigmoid: g = dy * y * (1 - y), dg/dy = dy * (1 - 2y). Tanh: g = dy * (1 - y²), dg/dy = -2 y dy.
  const sigmoidSecond: NativeKernelGrad = (ddg, [y, dy]) => [
    () => tf.mul(tf.mul(ddg, dy), tf.sub(1, tf.mul(2, y))),
    () => sigmoidGrad([y, ddg])
  ];
  const tanhSecond: NativeKernelGrad = (ddg, [y, dy]) => [
    () => tf.mul(tf.mul(ddg, dy), tf.mul(-2, y)),
    () => tanhGrad([y, ddg])
  ];
  const reluGrad = binaryGrad(
    tf,
    'ReluGrad',
    masked(() => reluGrad)
  );
  const relu6Grad = binaryGrad(
    tf,
    'Relu6Grad',
    masked(() => relu6Grad)
  );
  const leakyReluGrad = binaryGrad(
    tf,
    'LeakyReluGrad',
    masked(() => leakyReluGrad)
  );
  const sigmoidGrad = binaryGrad(tf, 'SigmoidGrad', sigmoidSecond);
  const tanhGrad = binaryGrad(tf, 'TanhGrad', tanhSecond);
  // Kernels taking (gradients, features) save the input; the (y, dy) ones save the output.
  return [
    {
      kernelName: 'Relu',
      grad: (_tf, dy, [x]) =>
        covered(dy.dtype, x, dy) ? { x: () => reluGrad([dy, x]) } : undefined
    },
    {
      kernelName: 'Relu6',
      grad: (_tf, dy, [x]) =>
        covered(dy.dtype, x, dy) ? { x: () => relu6Grad([dy, x]) } : undefined
    },
    {
      kernelName: 'LeakyRelu',
      grad: (_tf, dy, [x], attrs) =>
        covered(dy.dtype, x, dy)
          ? { x: () => leakyReluGrad([dy, x], { alpha: attrs.alpha }) }
          : undefined
    },
    {
      kernelName: 'Sigmoid',
      grad: (_tf, dy, [y]) =>
        covered(dy.dtype, y, dy) ? { x: () => sigmoidGrad([y, dy]) } : undefined
    },
    {
      kernelName: 'Tanh',
      grad: (_tf, dy, [y]) =>
        covered(dy.dtype, y, dy) ? { x: () => tanhGrad([y, dy]) } : undefined
    }
  ];
}
