/**
 * One 2-D matrix product through TF's `MatMul` instead of `BatchMatMulV2`. tfjs runs every
 * `tf.matMul` and `tf.fused.matMul` (so every Dense layer, forward and backward) as the
 * `BatchMatMul` kernel, which tfjs-node executes as `BatchMatMulV2` even when there is no
 * batch at all; on this build `MatMul` takes about half the time at the row counts dense
 * layers see (64x256x256: 91 us against 206 us), and the same at large shapes. So when every
 * batch dimension is 1 the product runs as `MatMul` on 2-D views, and anything else (a real
 * batch, broadcasting, int32, a large product) runs tfjs-node's kernel.
 *
 * The 2-D views are made at the binding level: `Squeeze` (attributes only) drops leading unit
 * dimensions, and `Reshape` with a cached int32 shape handle puts them back, so no shape tensor
 * is uploaded per call. Those intermediate handles are freed at once; the cached shape
 * handles are raw TF tensors (never in tf.memory()), bounded, and freed on uninstall.
 *
 * TF's own `_FusedMatMul` op cannot be reached: its `fused_ops` attribute is a list of strings,
 * which the tfjs-node binding cannot set. The `_FusedMatMul` override here runs `MatMul`, then
 * `BiasAdd` and `Relu` on the raw 2-D result, in place of tfjs-node's three tfjs ops.
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import { attrs, nodeBackend, type KernelOverride, type RawBackend, type TF } from './ops';
import { rawChain, releaseShapeHandles, reshapeOp } from './raw-ops';

type Tensor = tfTypes.Tensor;

/**
 * `BatchMatMulV2` costs some 80-120 us more per call than `MatMul` here; from about this many
 * multiply-adds on, that is lost in the noise (2048x64x128, 4096x256x64, 616x64x4000 take the
 * same time within +-10% either way), so the original kernel keeps those.
 */
export const MATMUL_2D_MAX_MACS = 2 ** 24;

/** The shape-handle cache now serves dense.ts and the Reshape kernel too (raw-ops.ts). */
export { cachedShapeHandles, releaseShapeHandles as releaseMatMulHandles } from './raw-ops';

/** The product's sizes when it is one float32 2-D matmul, else undefined. */
export interface Plain2D {
  m: number;
  n: number;
  /** The shape tfjs's BatchMatMul gives back: leading 1s to the larger rank, then [m, n]. */
  outShape: number[];
}

export function plain2D(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean) {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.rank < 2 || b.rank < 2) {
    return undefined;
  }
  const unitBatch = (t: Tensor) => t.shape.slice(0, -2).every(d => d === 1);
  if (!unitBatch(a) || !unitBatch(b)) {
    return undefined;
  }
  const [a0, a1] = a.shape.slice(-2);
  const [b0, b1] = b.shape.slice(-2);
  const [m, kA] = transposeA ? [a1, a0] : [a0, a1];
  const [kB, n] = transposeB ? [b1, b0] : [b0, b1];
  if (kA !== kB) {
    return undefined; // the original kernel reports the mismatch in tfjs's own words
  }
  if (m * kA * n > MATMUL_2D_MAX_MACS) {
    return undefined;
  }
  const lead = Math.max(a.rank, b.rank) - 2;
  return { m, n, outShape: [...Array<number>(lead).fill(1), m, n] } satisfies Plain2D;
}

/**
 * Runs `MatMul` (then `BiasAdd`, `Relu` where asked) on 2-D views of `a` and `b` and gives
 * back a tfjs tensor of `plan.outShape`. Every intermediate handle is freed here.
 */
function matMul2D(
  backend: RawBackend,
  [a, b]: [Tensor, Tensor],
  transpose: [boolean, boolean],
  plan: Plain2D,
  epilogue: { bias?: Tensor; relu?: boolean } = {}
): Tensor {
  const at = attrs(backend);
  const float = at.type('T', 'float32');
  const inputs = epilogue.bias ? [a, b, epilogue.bias] : [a, b];
  return rawChain(backend, inputs, (ids, op) => {
    const to2D = (t: Tensor, id: number) =>
      t.rank === 2
        ? id
        : op('Squeeze', [float, at.ints('squeeze_dims', [...Array(t.rank - 2).keys()])], [id]);
    const transposes = [at.bool('transpose_a', transpose[0]), at.bool('transpose_b', transpose[1])];
    let out = op('MatMul', [float, ...transposes], [to2D(a, ids[0]), to2D(b, ids[1])]);
    if (epilogue.bias) {
      out = op('BiasAdd', [float, at.string('data_format', 'NHWC')], [out, ids[2]]);
    }
    if (epilogue.relu) {
      out = op('Relu', [float], [out]);
    }
    return plan.outShape.length > 2 ? reshapeOp(backend, op, out, plan.outShape) : out;
  });
}

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

const batchMatMul: KernelOverride = {
  kernelName: 'BatchMatMul',
  make: original => ({
    ...original,
    kernelFunc: args => {
      const { a, b } = args.inputs as { a: Tensor; b: Tensor };
      const { transposeA, transposeB } = args.attrs as unknown as MatMulAttrs;
      const plan = plain2D(a, b, transposeA, transposeB);
      if (!plan) {
        return original.kernelFunc(args);
      }
      const backend = args.backend as unknown as RawBackend;
      return matMul2D(backend, [a, b], [transposeA, transposeB], plan);
    }
  })
};

const fusedMatMul: KernelOverride = {
  kernelName: '_FusedMatMul',
  make: original => ({
    ...original,
    kernelFunc: args => {
      const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, Tensor | null>;
      const { transposeA, transposeB, activation } = args.attrs as unknown as MatMulAttrs & {
        activation?: string;
      };
      const plan = plain2D(a!, b!, transposeA, transposeB);
      const epilogueCovered =
        (activation === undefined || activation === 'linear' || activation === 'relu') &&
        preluActivationWeights == null &&
        (bias == null || (bias.dtype === 'float32' && bias.rank === 1 && bias.size === plan?.n));
      if (!plan || !epilogueCovered) {
        return original.kernelFunc(args);
      }
      const backend = args.backend as unknown as RawBackend;
      return matMul2D(backend, [a!, b!], [transposeA, transposeB], plan, {
        bias: bias ?? undefined,
        relu: activation === 'relu'
      });
    }
  })
};

/** Whether `MatMul` runs through the binding and gives the right product (once, tiny). */
export function nativeMatMulAvailable(tf: TF): boolean {
  const backend = nodeBackend(tf) as RawBackend;
  try {
    return tf.tidy(() => {
      const a = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3]);
      const b = tf.tensor2d([1, 0, 0, 1, 1, 1], [3, 2]);
      const plan = plain2D(a, b, false, false)!;
      const y = matMul2D(backend, [a, b], [false, false], plan).dataSync();
      return plan.outShape.join() === '1,2,2' && [4, 5, 10, 11].every((v, i) => y[i] === v);
    });
  } catch {
    return false;
  } finally {
    releaseShapeHandles();
  }
}

/** PRETEXT_NATIVE_MATMUL=0 (or 'false', 'off', 'no') keeps tfjs-node's BatchMatMulV2. */
export function nativeMatMulWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.PRETEXT_NATIVE_MATMUL ?? '').trim().toLowerCase();
  return !['0', 'false', 'off', 'no'].includes(v);
}

export function matMulOverrides(): KernelOverride[] {
  return [batchMatMul, fusedMatMul];
}
