/**
 * Chains of TF ops at the binding level, for native kernels that run several TF ops per tfjs
 * kernel: only the last op's output becomes a tfjs tensor, every intermediate handle is freed
 * at once. `Reshape` needs its target shape as an int32 tensor; tfjs-node makes and uploads a
 * new one per call, so the shapes used here are cached as raw TF handles (never in
 * tf.memory()), bounded, and freed on uninstall (install.ts).
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import { isTracing } from '../graph/trace';
import { attrs, type OpAttr, type RawBackend, type TensorMetadata } from './ops';

type Tensor = tfTypes.Tensor;

/** Shape handles kept (one per target shape; a training step uses a few dozen at most). */
export const SHAPE_CACHE_LIMIT = 128;
const shapeHandles = new Map<string, number>();
let shapeBackend: RawBackend | undefined;

/** How many raw shape handles are cached (tests: bounded, and none after uninstall). */
export function cachedShapeHandles(): number {
  return shapeHandles.size;
}

/** Frees every cached shape handle. */
export function releaseShapeHandles(): void {
  for (const id of shapeHandles.values()) {
    shapeBackend?.binding.deleteTensor(id);
  }
  shapeHandles.clear();
  shapeBackend = undefined;
}

/** A raw int32 handle holding `shape`, made once per shape. */
export function shapeHandle(backend: RawBackend, shape: readonly number[]): number {
  const binding = backend.binding as RawBackend['binding'] & {
    createTensor(shape: number[], dtype: number, values: Int32Array): number;
  };
  if (isTracing()) {
    // A traced step's shapes become graph constants; the cache holds eager handles only.
    return binding.createTensor([shape.length], binding.TF_INT32, Int32Array.from(shape));
  }
  const key = shape.join(',');
  const cached = shapeHandles.get(key);
  if (cached !== undefined) {
    return cached;
  }
  if (shapeBackend !== backend) {
    releaseShapeHandles();
    shapeBackend = backend;
  }
  if (shapeHandles.size >= SHAPE_CACHE_LIMIT) {
    // First made, first freed: a run has a few shapes, so this only bounds churn.
    const [oldestKey, oldestId] = shapeHandles.entries().next().value as [string, number];
    shapeHandles.delete(oldestKey);
    backend.binding.deleteTensor(oldestId);
  }
  const id = binding.createTensor([shape.length], binding.TF_INT32, Int32Array.from(shape));
  shapeHandles.set(key, id);
  return id;
}

/** Runs one TF op on raw handles and returns its output handle. */
export type RawOp = (name: string, opAttrs: OpAttr[], inputIds: number[]) => number;

/**
 * Runs `body` on the raw handles of `inputs`; `body` returns the handle of the last op it ran,
 * which becomes the result's tfjs tensor. Every other handle made by `body` is freed, also
 * when an op throws.
 */
export function rawChain(
  backend: RawBackend,
  inputs: Tensor[],
  body: (ids: number[], op: RawOp) => number
): Tensor {
  const { binding } = backend;
  const temporaries: number[] = [];
  let last: TensorMetadata | undefined;
  const op: RawOp = (name, opAttrs, inputIds) => {
    last = binding.executeOp(name, opAttrs, inputIds, 1)[0];
    temporaries.push(last.id);
    return last.id;
  };
  try {
    const out = body(backend.getInputTensorIds(inputs), op);
    if (last === undefined || out !== last.id) {
      throw new Error('rawChain: the result must be the last op output');
    }
    temporaries.pop(); // from here on the result's tfjs tensor owns it
    return backend.createOutputTensor(last);
  } finally {
    for (const id of temporaries) {
      binding.deleteTensor(id);
    }
  }
}

/** `Reshape` of a float32 handle to `shape` (which has no -1), with a cached shape handle. */
export function reshapeOp(backend: RawBackend, op: RawOp, id: number, shape: readonly number[]) {
  const at = attrs(backend);
  const opAttrs = [at.type('T', 'float32'), at.type('Tshape', 'int32')];
  return op('Reshape', opAttrs, [id, shapeHandle(backend, shape)]);
}
