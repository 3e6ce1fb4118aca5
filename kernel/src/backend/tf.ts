/**
 * The TensorFlow.js handle every Pretext module uses. It loads the native TensorFlow
 * binding (tfjs-node, or tfjs-node-gpu with PRETEXT_DEVICE=gpu) and refuses to run on the
 * pure-JavaScript backend, which is two to three orders of magnitude slower for training.
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import { session } from '../events/session-events';
import { PretextError } from '../util/errors';
import { installNativeGradients, nativeGradientsWanted } from './native/install';

type TF = typeof tfTypes;

function loadNative(): TF {
  const wantGpu = process.env.PRETEXT_DEVICE === 'gpu';
  const pkg = wantGpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  // TensorFlow's C++ start-up banner would land in every notebook's stderr.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  let tf: TF;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tf = require(pkg) as TF;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new PretextError(
      `The native TensorFlow backend (${pkg}) could not be loaded: ${reason}`,
      wantGpu
        ? "Run 'PRETEXT_GPU=1 npm run setup' from the Pretext folder on the CUDA machine, then restart the kernel."
        : "Run 'npm run setup' from the Pretext folder (it builds the binding against TensorFlow from PyPI), then restart the kernel."
    );
  }
  if (tf.getBackend() !== 'tensorflow') {
    throw new PretextError(
      `TensorFlow.js is on the '${tf.getBackend()}' backend, not the native 'tensorflow' one; training there is far too slow.`,
      "Run 'npm run setup' to rebuild the native binding, then restart the kernel."
    );
  }
  return tf;
}

export const tf: TF = loadNative();
// TF's own fused gradient kernels for every model in the process (PRETEXT_NATIVE_GRADIENTS=0: off).
if (nativeGradientsWanted()) {
  installNativeGradients(tf);
}
export type {
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  Tensor5D,
  DataType,
  Scalar,
  Variable,
  LayersModel
} from '@tensorflow/tfjs-node';

/** What produced a number: recorded with every run and evaluation. */
export interface BackendInfo {
  backend: string;
  device: 'cpu' | 'gpu';
  tfjs: string;
  tensorflow: string;
}

export function backendInfo(): BackendInfo {
  session.recordBackendCheck();
  // The binding reports the TensorFlow C library it is linked against.
  const binding = (tf.backend() as unknown as { binding?: { TF_Version?: string } }).binding;
  return {
    backend: tf.getBackend(),
    device: process.env.PRETEXT_DEVICE === 'gpu' ? 'gpu' : 'cpu',
    tfjs: tf.version['tfjs-core'],
    tensorflow: binding?.TF_Version ?? 'unknown'
  };
}
