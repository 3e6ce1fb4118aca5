/**
 * The gradient-registry shapes this layer works with, and the rule every override follows:
 * take the native kernel when the case is one it covers (float32, channels-last, TF padding
 * modes), otherwise hand over to tfjs's original gradient, so nothing that worked before
 * stops working.
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import type { TF } from './ops';

export type GradConfig = tfTypes.GradConfig;
type Tensor = tfTypes.Tensor;
type GradFunc = NonNullable<GradConfig['gradFunc']>;
type GradResult = ReturnType<GradFunc>;
export type Saved = Tensor[];
export type KernelAttrs = Record<string, unknown>;

/** One override: the kernel it replaces and how to build its gradient from tfjs's original. */
export interface NativeGradient {
  kernelName: string;
  /** What the override needs saved on the tape (must be what the original saves, or less). */
  inputsToSave?: string[];
  outputsToSave?: boolean[];
  /**
   * The native gradient for the kernel's inputs, or undefined when this case is not covered
   * (then the original gradient runs).
   */
  grad(tf: TF, dy: Tensor, saved: Saved, attrs: KernelAttrs): GradResult | undefined;
}

/** Builds the GradConfig that tries the native gradient and falls back to `original`. */
export function withFallback(tf: TF, native: NativeGradient, original: GradConfig): GradConfig {
  const fallback = original.gradFunc;
  return {
    kernelName: native.kernelName,
    inputsToSave: native.inputsToSave ?? original.inputsToSave,
    outputsToSave: native.outputsToSave ?? original.outputsToSave,
    saveAllInputs: original.saveAllInputs,
    gradFunc: (dy, saved, attrs) => {
      const result = Array.isArray(dy) ? undefined : native.grad(tf, dy, saved, attrs);
      return result ?? fallback(dy, saved, attrs);
    }
  };
}
