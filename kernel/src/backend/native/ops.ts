/**
 * The bridge to TensorFlow's own kernels through the tfjs-node binding: op attributes in the
 * binding's format, and one tfjs kernel per TF op we call. Going through registered kernels
 * (rather than calling the binding from a gradient) keeps tfjs's bookkeeping intact: outputs
 * are tracked by tidy scopes, and a second-order gradient through one of these ops fails with
 * tfjs's clear "gradient function not found" instead of silently coming out wrong.
 */
import type * as tfTypes from '@tensorflow/tfjs-node';

export type TF = typeof tfTypes;
type Tensor = tfTypes.Tensor;
type DataType = tfTypes.DataType;

/** One op attribute as the binding's `executeOp` takes it. */
export interface OpAttr {
  name: string;
  type: number;
  value: unknown;
}

/** The parts of tfjs-node's NodeJSKernelBackend this layer uses (not in its public types). */
export interface NodeBackend {
  binding: {
    TF_Version?: string;
    TF_FLOAT: number;
    TF_INT32: number;
    TF_BOOL: number;
    TF_UINT8: number;
    TF_ATTR_STRING: number;
    TF_ATTR_INT: number;
    TF_ATTR_FLOAT: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_TYPE: number;
  };
  isUsingGpuDevice?: boolean;
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: Tensor[]): Tensor;
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: Tensor[], n: number): Tensor[];
  disposeData(dataId: object, force?: boolean): boolean;
}

/** TF tensor handles as the binding returns them. */
export interface TensorMetadata {
  id: number;
  shape: number[];
  dtype: number;
}

/**
 * The binding one level down, for the one case tfjs tensors cannot serve: oneDNN's uint8
 * pooling workspace, which must live exactly as long as the pool output it belongs to and is
 * never seen by users (so it is not a tfjs tensor and never counts in tf.memory()).
 */
export interface RawBackend extends NodeBackend {
  binding: NodeBackend['binding'] & {
    executeOp(name: string, attrs: OpAttr[], inputIds: number[], n: number): TensorMetadata[];
    deleteTensor(id: number): void;
  };
  getInputTensorIds(inputs: Tensor[]): number[];
  createOutputTensor(meta: TensorMetadata): Tensor;
}

export function nodeBackend(tf: TF): NodeBackend {
  return tf.findBackend('tensorflow') as unknown as NodeBackend;
}

/** Attribute builders; `dtype` maps tfjs dtypes onto the binding's TF_DataType numbers. */
export function attrs(backend: NodeBackend) {
  const b = backend.binding;
  const dtypes: Partial<Record<DataType | 'uint8', number>> = {
    float32: b.TF_FLOAT,
    int32: b.TF_INT32,
    bool: b.TF_BOOL,
    uint8: b.TF_UINT8
  };
  return {
    type: (name: string, dtype: DataType | 'uint8'): OpAttr => {
      const value = dtypes[dtype];
      if (value === undefined) {
        throw new Error(`native op attr ${name}: dtype ${dtype}`);
      }
      return { name, type: b.TF_ATTR_TYPE, value };
    },
    ints: (name: string, value: number[]): OpAttr => ({ name, type: b.TF_ATTR_INT, value }),
    int: (name: string, value: number): OpAttr => ({ name, type: b.TF_ATTR_INT, value }),
    string: (name: string, value: string): OpAttr => ({ name, type: b.TF_ATTR_STRING, value }),
    bool: (name: string, value: boolean): OpAttr => ({ name, type: b.TF_ATTR_BOOL, value }),
    float: (name: string, value: number): OpAttr => ({ name, type: b.TF_ATTR_FLOAT, value })
  };
}

export type Attrs = ReturnType<typeof attrs>;

/** A forward kernel this layer replaces on the 'tensorflow' backend, built from tfjs-node's. */
export interface KernelOverride {
  kernelName: string;
  make(original: tfTypes.KernelConfig): tfTypes.KernelConfig;
}

/** What a native kernel receives: its inputs in order, the tfjs attrs, the backend. */
export type NativeRun = (
  backend: NodeBackend,
  inputs: Tensor[],
  kernelAttrs: Record<string, unknown>
) => Tensor | Tensor[];

/** Prefix of the tfjs kernel names this layer registers, so they cannot clash with tfjs's. */
export const KERNEL_PREFIX = 'PretextNative';

/**
 * The gradient of a native kernel, for second-order gradients: one function per input, in
 * input order, from the upstream gradient, the kernel's inputs and its attrs.
 */
export type NativeKernelGrad = (
  dy: Tensor,
  inputs: Tensor[],
  kernelAttrs: Record<string, unknown>
) => (() => Tensor)[];

/**
 * Registers (once) a tfjs kernel named `PretextNative<name>` on the 'tensorflow' backend and
 * returns a caller that runs it through the engine with named inputs `in0`, `in1`, ...
 * With `grad`, the kernel is differentiable too (tfjs's own composite gradients are, so a
 * gradient of a gradient keeps working where it did before).
 */
export function nativeKernel(
  tf: TF,
  name: string,
  run: NativeRun,
  grad?: { arity: number; inputs: NativeKernelGrad }
): (inputs: Tensor[], kernelAttrs?: Record<string, unknown>) => Tensor {
  const kernelName = KERNEL_PREFIX + name;
  if (grad && !tf.getGradient(kernelName)) {
    tf.registerGradient({
      kernelName,
      inputsToSave: Array.from({ length: grad.arity }, (_, i) => `in${i}`),
      gradFunc: (dy, saved, kernelAttrs) => {
        const fns = grad.inputs(dy as Tensor, saved, kernelAttrs as Record<string, unknown>);
        return Object.fromEntries(fns.map((f, i) => [`in${i}`, f]));
      }
    });
  }
  if (!tf.getKernel(kernelName, 'tensorflow')) {
    tf.registerKernel({
      kernelName,
      backendName: 'tensorflow',
      kernelFunc: ({ inputs, backend, attrs: kernelAttrs }) => {
        const ordered = Object.keys(inputs)
          .sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))
          .map(k => inputs[k] as Tensor);
        return run(backend as unknown as NodeBackend, ordered, kernelAttrs as never) as never;
      }
    });
  }
  return (inputs, kernelAttrs = {}) => {
    const named: Record<string, Tensor> = {};
    inputs.forEach((t, i) => (named[`in${i}`] = t));
    return tf.engine().runKernel(kernelName, named, kernelAttrs as never) as Tensor;
  };
}

/** `nativeKernel` for ops with several outputs (no second-order gradient). */
export function nativeKernelMulti(
  tf: TF,
  name: string,
  run: NativeRun
): (inputs: Tensor[], kernelAttrs?: Record<string, unknown>) => Tensor[] {
  const single = nativeKernel(tf, name, run);
  return (inputs, kernelAttrs) => single(inputs, kernelAttrs) as unknown as Tensor[];
}
