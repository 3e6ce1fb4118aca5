/**
 * Test helpers: a function's gradient with the native layer and with tfjs's original
 * gradients, in one process, and which kernels a computation ran.
 */
import { tf, type Tensor } from '../../../../kernel/src/backend/tf';
import {
  installNativeGradients,
  nativeGradientState,
  uninstallNativeGradients,
  type NativeGradientOptions
} from '../../../../kernel/src/backend/native/install';

export interface Both {
  native: Tensor;
  original: Tensor;
  /** Kernel names the native gradient ran (from tf.profile). */
  nativeKernels: string[];
}

/** d/dx of sum(f(x) * w) for a fixed random w, so every output element matters differently. */
export async function gradBoth(
  f: (x: Tensor) => Tensor,
  x: Tensor,
  options: NativeGradientOptions = {}
): Promise<Both> {
  const w = tf.tidy(() => tf.randomNormal(tf.tidy(() => f(x)).shape, 0, 1, 'float32', 7));
  const loss = (a: Tensor) => tf.sum(tf.mul(f(a), w));
  const wasInstalled = nativeGradientState().kernels.length > 0;
  uninstallNativeGradients(tf);
  const original = tf.grad(loss)(x);
  installNativeGradients(tf, options);
  let native: Tensor | undefined;
  const profile = await tf.profile(() => {
    native = tf.grad(loss)(x);
    return native;
  });
  if (!wasInstalled) {
    uninstallNativeGradients(tf);
  }
  w.dispose();
  return { native: native!, original, nativeKernels: profile.kernelNames };
}

export const maxDiff = (a: Tensor, b: Tensor) =>
  tf.tidy(() => tf.abs(tf.sub(a, b)).max().dataSync()[0]);

/** Largest absolute difference relative to the reference's largest magnitude. */
export const relDiff = (a: Tensor, b: Tensor) =>
  tf.tidy(() => maxDiff(a, b) / Math.max(1e-12, tf.abs(b).max().dataSync()[0]));
