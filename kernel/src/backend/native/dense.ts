/**
 * Dense layers as TF's 2-D `MatMul` then `BiasAdd`, in one tfjs kernel, with a lazy gradient
 * per input. tfjs-layers runs a Dense layer through `tf.fused.matMul`; while a gradient is
 * recorded that splits into matMul + add (+ activation), the add's gradient is a generic Sum +
 * Reshape, and the matMul's gradient is two more matMuls with reshapes to rank 3 and back, all
 * in one closure that always computes the input gradient too (also for the first layer, whose
 * input is data). Here the forward is one kernel (MatMul + BiasAdd on raw handles; rank >= 3
 * inputs are viewed as 2-D through a raw Reshape with a cached shape handle and back), and the
 * gradients are one kernel each: dX = MatMul(dy, W^T), dW = MatMul(X^T, dy) and BiasAddGrad(dy),
 * so the tape runs only the ones it needs. The activation is tfjs's own, applied after (ReLU's
 * gradient is TF's ReluGrad already). The three kernels are each other's gradients, so second
 * order works as well. Regularizers, constraints and activity regularizers live outside `call`
 * (in the weights and in `apply`) and keep working; any input this does not cover (not
 * float32, a mismatched or non-2-D kernel) runs the original `call`.
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import { biasKernels } from './conv';
import { attrs, nativeKernel, type RawBackend, type TF } from './ops';
import { rawChain, reshapeOp, type RawOp } from './raw-ops';

type Tensor = tfTypes.Tensor;

interface LayerVariable {
  read(): tfTypes.Variable;
}

/** The Dense fields the native path reads (tfjs-layers' own names). */
interface DenseLayer {
  kernel: LayerVariable | null;
  bias: LayerVariable | null;
  activation: { getClassName(): string; apply(x: Tensor): Tensor } | null;
  invokeCallHook(inputs: Tensor | Tensor[], kwargs: Record<string, unknown>): void;
}

export type DenseCall = (
  this: DenseLayer,
  inputs: Tensor | Tensor[],
  kwargs: Record<string, unknown>
) => Tensor;

let prototype: { call: DenseCall } | undefined;

/** tfjs-layers' Dense prototype (the class is not exported by tfjs-node). */
export function densePrototype(tf: TF): { call: DenseCall } {
  // An explicit name: an unnamed layer would use up one of the user's auto-generated names.
  prototype ??= Object.getPrototypeOf(
    tf.layers.dense({ units: 1, name: 'pretext_dense_probe' })
  ) as { call: DenseCall };
  return prototype;
}

/** Rows of `t` seen as a matrix over its last dimension. */
const rows = (t: Tensor) => t.size / t.shape[t.rank - 1];

/** The handle of `t` as a 2-D [rows, last] matrix (a raw Reshape when its rank is higher). */
function as2D(backend: RawBackend, op: RawOp, t: Tensor, id: number): number {
  return t.rank === 2 ? id : reshapeOp(backend, op, id, [rows(t), t.shape[t.rank - 1]]);
}

/** `out` (2-D) back to `lead` leading dimensions and a last dimension of `last`. */
function fromRows(backend: RawBackend, op: RawOp, out: number, lead: number[], last: number) {
  return lead.length === 1 ? out : reshapeOp(backend, op, out, [...lead, last]);
}

function matMulOp(backend: RawBackend, op: RawOp, a: number, b: number, ta: boolean, tb: boolean) {
  const at = attrs(backend);
  const opAttrs = [at.type('T', 'float32'), at.bool('transpose_a', ta), at.bool('transpose_b', tb)];
  return op('MatMul', opAttrs, [a, b]);
}

/** y = x W (+ b): x [..., k], W [k, n], b [n]. */
function forward(backend: RawBackend, inputs: Tensor[]): Tensor {
  const [x, w] = inputs;
  return rawChain(backend, inputs, ([xId, wId, bId], op) => {
    let out = matMulOp(backend, op, as2D(backend, op, x, xId), wId, false, false);
    if (bId !== undefined) {
      const at = attrs(backend);
      const opAttrs = [at.type('T', 'float32'), at.string('data_format', 'NHWC')];
      out = op('BiasAdd', opAttrs, [out, bId]);
    }
    return fromRows(backend, op, out, x.shape.slice(0, -1), w.shape[1]!);
  });
}

/** dX = dy W^T: dy [..., n], W [k, n] -> [..., k]. */
function backpropInput(backend: RawBackend, [dy, w]: Tensor[]): Tensor {
  return rawChain(backend, [dy, w], ([dyId, wId], op) => {
    const out = matMulOp(backend, op, as2D(backend, op, dy, dyId), wId, false, true);
    return fromRows(backend, op, out, dy.shape.slice(0, -1), w.shape[0]);
  });
}

/** dW = X^T dy: x [..., k], dy [..., n] -> [k, n]. */
function backpropFilter(backend: RawBackend, [x, dy]: Tensor[]): Tensor {
  return rawChain(backend, [x, dy], ([xId, dyId], op) =>
    matMulOp(backend, op, as2D(backend, op, x, xId), as2D(backend, op, dy, dyId), true, false)
  );
}

type Kernel = (inputs: Tensor[]) => Tensor;

export interface DenseKernels {
  /** [x, W, b] -> x W + b. */
  denseBias: Kernel;
  /** [x, W] -> x W. */
  dense: Kernel;
  /** [dy, W] -> dy W^T. */
  backpropInput: Kernel;
  /** [x, dy] -> x^T dy. */
  backpropFilter: Kernel;
}

/**
 * The dense kernels, differentiable: each one's gradients are the others (for dX = dy W^T:
 * d/d(dy) = g W and d/dW = g^T dy; for dW = X^T dy: d/dX = dy h^T and d/d(dy) = X h).
 */
export function denseKernels(tf: TF): DenseKernels {
  const { biasAddGrad } = biasKernels(tf);
  const raw =
    (f: (backend: RawBackend, inputs: Tensor[]) => Tensor) =>
    (backend: unknown, inputs: Tensor[]) =>
      f(backend as RawBackend, inputs);
  const k: DenseKernels = {
    denseBias: nativeKernel(tf, 'DenseBias', raw(forward), {
      arity: 3,
      inputs: (dy, [x, w]) => [
        () => k.backpropInput([dy, w]),
        () => k.backpropFilter([x, dy]),
        () => biasAddGrad([dy])
      ]
    }),
    dense: nativeKernel(tf, 'Dense', raw(forward), {
      arity: 2,
      inputs: (dy, [x, w]) => [() => k.backpropInput([dy, w]), () => k.backpropFilter([x, dy])]
    }),
    backpropInput: nativeKernel(tf, 'DenseBackpropInput', raw(backpropInput), {
      arity: 2,
      inputs: (g, [dy, w]) => [() => k.dense([g, w]), () => k.backpropFilter([g, dy])]
    }),
    backpropFilter: nativeKernel(tf, 'DenseBackpropFilter', raw(backpropFilter), {
      arity: 2,
      inputs: (h, [x, dy]) => [() => k.backpropInput([dy, h]), () => k.dense([x, h])]
    })
  };
  return k;
}

/** Whether the native kernels compute this layer's call on `inputs`. */
function covers(layer: DenseLayer, inputs: Tensor | Tensor[]): boolean {
  if (Array.isArray(inputs) && inputs.length !== 1) {
    return false;
  }
  const x = Array.isArray(inputs) ? inputs[0] : inputs;
  const w = layer.kernel?.read();
  const b = layer.bias?.read();
  return (
    w !== undefined &&
    x.dtype === 'float32' &&
    x.rank >= 2 &&
    w.dtype === 'float32' &&
    w.rank === 2 &&
    x.shape[x.rank - 1] === w.shape[0] &&
    (b === undefined || (b.dtype === 'float32' && b.rank === 1 && b.size === w.shape[1]))
  );
}

export function nativeDenseCall(tf: TF, original: DenseCall): DenseCall {
  const k = denseKernels(tf);
  return function call(this: DenseLayer, inputs, kwargs) {
    if (!covers(this, inputs)) {
      return original.call(this, inputs, kwargs);
    }
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const w = this.kernel!.read();
      const y = this.bias ? k.denseBias([x, w, this.bias.read()]) : k.dense([x, w]);
      const linear =
        this.activation == null || this.activation.getClassName().toLowerCase() === 'linear';
      return linear ? y : this.activation!.apply(y);
    });
  };
}

let productKernels: DenseKernels | undefined;

/** install.ts turns the native path of denseProduct on and off with the Dense override. */
export function setDenseProduct(tf: TF, on: boolean): void {
  productKernels = on ? denseKernels(tf) : undefined;
}

/**
 * x W (+ b) for layers that hold their own weights (self-attention's projections): the native
 * dense kernels while the Dense override is installed, tfjs's matMul + add otherwise.
 */
export function denseProduct(
  tf: TF,
  x: tfTypes.Tensor2D,
  w: tfTypes.Tensor2D,
  b?: tfTypes.Tensor1D
): tfTypes.Tensor2D {
  const k = productKernels;
  if (k && x.dtype === 'float32' && w.dtype === 'float32') {
    return (b ? k.denseBias([x, w, b]) : k.dense([x, w])) as tfTypes.Tensor2D;
  }
  const product = tf.matMul(x, w) as tfTypes.Tensor2D;
  return b ? (tf.add(product, b) as tfTypes.Tensor2D) : product;
}

/** PRETEXT_NATIVE_DENSE=0 (or 'false', 'off', 'no') keeps tfjs-layers' Dense call. */
export function nativeDenseWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.PRETEXT_NATIVE_DENSE ?? '').trim().toLowerCase();
  return !['0', 'false', 'off', 'no'].includes(v);
}
