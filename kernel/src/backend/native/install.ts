/**
 * The one installer of the native-gradient layer. `backend/tf.ts` calls it when the library
 * loads, so every model (Pretext's and any LayersModel a user builds) gets TF's own gradient
 * kernels without changing code. PRETEXT_NATIVE_GRADIENTS=0 leaves tfjs's gradients alone;
 * `uninstallNativeGradients` restores them in a running process (the bench compares both).
 */
import { activationGradients } from './activations';
import { nativeAdamAvailable } from './adam';
import { batchNormPrototype, fusedBatchNormCall } from './batch-norm';
import { conv2dPrototype, convWithBiasAvailable, nativeConv2dCall, type ConvCall } from './conv';
import { setFusedCrossEntropy } from './cross-entropy';
import {
  densePrototype,
  nativeDenseCall,
  nativeDenseWanted,
  setDenseProduct,
  type DenseCall
} from './dense';
import { withFallback, type GradConfig, type NativeGradient } from './grad-config';
import {
  matMulOverrides,
  nativeMatMulAvailable,
  nativeMatMulWanted,
  releaseMatMulHandles
} from './matmul';
import { onednnPoolingAvailable, poolingOverrides } from './pooling';
import { reductionGradients } from './reductions';
import type { KernelOverride, TF } from './ops';
import type * as tfTypes from '@tensorflow/tfjs-node';

export interface NativeGradientOptions {
  /** oneDNN's pooling gradients (default: when the pinned TF build has them). */
  onednnPooling?: boolean;
  /** BatchNormalization layers train through FusedBatchNormV3 / its gradient (default true). */
  fusedBatchNorm?: boolean;
  /**
   * Conv2D layers run Conv2D + BiasAdd with lazy per-input gradients (default true, unless
   * PRETEXT_NATIVE_CONV=0).
   */
  nativeConv?: boolean;
  /** With nativeConv: conv + bias as one oneDNN op (default: when the pinned TF has it). */
  convWithBias?: boolean;
  /**
   * Softmax cross-entropy losses (NT-Xent, MoCo, MLM, rotation) through TF's fused
   * Sparse/SoftmaxCrossEntropyWithLogits (default: when the pinned TF has them).
   */
  fusedCrossEntropy?: boolean;
  /**
   * BatchMatMul / _FusedMatMul without a batch run as TF's 2-D MatMul (see matmul.ts; default:
   * when it runs, unless PRETEXT_NATIVE_MATMUL=0).
   */
  nativeMatMul?: boolean;
  /**
   * The engine's Adam as TF's fused ResourceApplyAdam (see adam.ts; default: when it runs,
   * unless PRETEXT_NATIVE_ADAM=0).
   */
  nativeAdam?: boolean;
  /**
   * Dense layers run MatMul + BiasAdd with lazy per-input gradients (see dense.ts; default
   * true, unless PRETEXT_NATIVE_DENSE=0).
   */
  nativeDense?: boolean;
}

export interface NativeGradientState {
  /** Kernel names whose gradients are TF's own kernels now; empty when not installed. */
  kernels: string[];
  /** Whether max/avg-pool gradients run through oneDNN (false: the public TF kernels). */
  onednnPooling: boolean;
  /** Forward kernels replaced on the 'tensorflow' backend (MaxPool, to keep its workspace). */
  forwardKernels: string[];
  /** Whether BatchNormalization layers train through TF's fused batch-norm kernels. */
  fusedBatchNorm: boolean;
  /** Whether Conv2D layers run through Conv2D + BiasAdd / BiasAddGrad (see conv.ts). */
  nativeConv: boolean;
  /** Whether their forward with a bias is oneDNN's fused `_MklNativeConv2DWithBias`. */
  convWithBias: boolean;
  /** Whether softmaxCrossEntropyRows runs TF's fused loss + backprop kernels (cross-entropy.ts). */
  fusedCrossEntropy: boolean;
  /** Whether batch-1 BatchMatMul / _FusedMatMul run as TF's 2-D MatMul (matmul.ts). */
  nativeMatMul: boolean;
  /** Whether optimisers made from now on run Adam as TF's fused kernel (adam.ts). */
  nativeAdam: boolean;
  /** Whether Dense layers run through the native dense kernels (dense.ts). */
  nativeDense: boolean;
}

/** tfjs's own gradients, captured before the first override so they can be restored. */
const originals = new Map<string, GradConfig>();
const originalKernels = new Map<string, tfTypes.KernelConfig>();
const off: NativeGradientState = {
  kernels: [],
  onednnPooling: false,
  forwardKernels: [],
  fusedBatchNorm: false,
  nativeConv: false,
  convWithBias: false,
  fusedCrossEntropy: false,
  nativeMatMul: false,
  nativeDense: false,
  nativeAdam: false
};
/** tfjs-layers' own BatchNormalization.call, while the fused one is in its place. */
let originalBatchNormCall: ReturnType<typeof batchNormPrototype>['call'] | undefined;
/** Undo Conv2D's and Dense's native `call` (Conv2D's prototype inherits Conv's own). */
let restoreConvCall: (() => void) | undefined;
let restoreDenseCall: (() => void) | undefined;
let state: NativeGradientState = off;

/** PRETEXT_NATIVE_GRADIENTS=0 (or 'false', 'off') turns the layer off at load. */
export function nativeGradientsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.PRETEXT_NATIVE_GRADIENTS ?? '').trim().toLowerCase();
  return !['0', 'false', 'off', 'no'].includes(v);
}

/** tfjs's gradient for `kernelName` as it was before this layer overrode it. */
export function originalGradient(tf: TF, kernelName: string): GradConfig | undefined {
  return originals.get(kernelName) ?? tf.getGradient(kernelName);
}

export function nativeGradientState(): NativeGradientState {
  return {
    kernels: [...state.kernels],
    onednnPooling: state.onednnPooling,
    forwardKernels: [...state.forwardKernels],
    fusedBatchNorm: state.fusedBatchNorm,
    nativeConv: state.nativeConv,
    convWithBias: state.convWithBias,
    fusedCrossEntropy: state.fusedCrossEntropy,
    nativeMatMul: state.nativeMatMul,
    nativeDense: state.nativeDense,
    nativeAdam: state.nativeAdam
  };
}

export function installNativeGradients(
  tf: TF,
  options: NativeGradientOptions = {}
): NativeGradientState {
  if (tf.getBackend() !== 'tensorflow') {
    return nativeGradientState();
  }
  uninstallNativeGradients(tf); // a no-op when off; re-installing never stacks overrides
  const onednnPooling = options.onednnPooling ?? onednnPoolingAvailable(tf);
  const pooling = onednnPooling ? poolingOverrides(tf) : { gradients: [], kernels: [] };
  const natives: NativeGradient[] = [
    ...activationGradients(tf),
    ...reductionGradients(),
    ...pooling.gradients
  ];
  const forwardKernels = pooling.kernels.map(k => replaceKernel(tf, k));
  const nativeMatMul = options.nativeMatMul ?? (nativeMatMulWanted() && nativeMatMulAvailable(tf));
  if (nativeMatMul) {
    forwardKernels.push(...matMulOverrides().map(k => replaceKernel(tf, k)));
  }
  const kernels: string[] = [];
  for (const native of natives) {
    const original = originals.get(native.kernelName) ?? tf.getGradient(native.kernelName);
    if (!original) {
      continue;
    }
    originals.set(native.kernelName, original);
    tf.registerGradient(withFallback(tf, native, original));
    kernels.push(native.kernelName);
  }
  const fusedBatchNorm = options.fusedBatchNorm ?? true;
  if (fusedBatchNorm) {
    const proto = batchNormPrototype(tf);
    originalBatchNormCall = proto.call;
    proto.call = fusedBatchNormCall(tf, originalBatchNormCall);
  }
  const nativeConv = options.nativeConv ?? process.env.PRETEXT_NATIVE_CONV !== '0';
  const convWithBias = nativeConv && (options.convWithBias ?? convWithBiasAvailable(tf));
  if (nativeConv) {
    restoreConvCall = replaceCall<ConvCall>(conv2dPrototype(tf), original =>
      nativeConv2dCall(tf, original, convWithBias)
    );
  }
  const nativeDense = options.nativeDense ?? nativeDenseWanted();
  if (nativeDense) {
    restoreDenseCall = replaceCall<DenseCall>(densePrototype(tf), original =>
      nativeDenseCall(tf, original)
    );
    setDenseProduct(tf, true);
  }
  const fusedCrossEntropy = setFusedCrossEntropy(tf, options.fusedCrossEntropy ?? true);
  state = {
    kernels,
    onednnPooling,
    forwardKernels,
    fusedBatchNorm,
    nativeConv,
    convWithBias,
    fusedCrossEntropy,
    nativeMatMul,
    nativeDense,
    nativeAdam: options.nativeAdam ?? nativeAdamAvailable(tf)
  };
  return nativeGradientState();
}

/**
 * Puts `make(original)` in place of a layer prototype's `call` and returns how to undo it
 * exactly: the prototype's own `call` back, or none again when it inherited one.
 */
function replaceCall<Call>(proto: { call: Call }, make: (original: Call) => Call): () => void {
  const own = Object.prototype.hasOwnProperty.call(proto, 'call');
  const original = proto.call;
  proto.call = make(original);
  return () => {
    if (own) {
      proto.call = original;
    } else {
      delete (proto as { call?: Call }).call;
    }
  };
}

function replaceKernel(tf: TF, override: KernelOverride): string {
  const name = override.kernelName;
  const original = originalKernels.get(name) ?? tf.getKernel(name, 'tensorflow');
  originalKernels.set(name, original);
  tf.unregisterKernel(name, 'tensorflow');
  tf.registerKernel(override.make(original));
  return name;
}

export function uninstallNativeGradients(tf: TF): void {
  for (const kernelName of state.kernels) {
    const original = originals.get(kernelName);
    if (original) {
      tf.registerGradient(original);
    }
  }
  for (const name of state.forwardKernels) {
    tf.unregisterKernel(name, 'tensorflow');
    tf.registerKernel(originalKernels.get(name)!);
  }
  if (originalBatchNormCall) {
    batchNormPrototype(tf).call = originalBatchNormCall;
    originalBatchNormCall = undefined;
  }
  restoreConvCall?.();
  restoreConvCall = undefined;
  if (restoreDenseCall) {
    restoreDenseCall();
    restoreDenseCall = undefined;
    setDenseProduct(tf, false);
  }
  setFusedCrossEntropy(tf, false);
  releaseMatMulHandles();
  state = off;
}
