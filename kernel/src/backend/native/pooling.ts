/**
 * Max- and average-pool gradients through oneDNN's native pooling kernels
 * (`_MklNativeMaxPool` / `_MklNativeMaxPoolGrad`, `_MklNativeAvgPoolGrad`), about twice as
 * fast here as the public `MaxPoolGrad` / `AvgPoolGrad` that tfjs-node runs. oneDNN's max-pool
 * gradient reads the argmax workspace its forward wrote, so while a gradient is being
 * recorded the MaxPool forward runs through oneDNN too and keeps the workspace next to its
 * output (see pool-workspace.ts). These ops are internal to TensorFlow's oneDNN build, so they
 * are pinned to the TF version the set-up installs and probed once; when either check fails
 * the original tfjs kernels and gradients (the public TF kernels) run instead.
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import { PretextError } from '../../util/errors';
import type { KernelAttrs, NativeGradient } from './grad-config';
import {
  attrs,
  nativeKernel,
  nodeBackend,
  type KernelOverride,
  type NodeBackend,
  type RawBackend,
  type TF
} from './ops';
import { takeWorkspaceHook, workspaceOf, keepWorkspace } from './pool-workspace';

type Tensor = tfTypes.Tensor;

/** The TensorFlow build whose `_MklNative*` pooling ops this file calls (scripts/setup). */
export const ONEDNN_PINNED_TF = '2.21.0';

/** oneDNN dispatches these ops only with this label on the kernel (TF's MklNameChangeOp). */
const MKL_LABEL = 'MklNameChangeOp';

export interface PoolWindow {
  ksize: number[];
  strides: number[];
  padding: 'SAME' | 'VALID';
}

/**
 * TF's window attributes for a tfjs pool, or undefined when tfjs asks for something the TF
 * kernels do not take (explicit padding numbers, a rounding mode). Channels-first data is
 * refused: tfjs's 2-D pools are channels-last only, so NCHW here is a caller's mistake.
 */
export function poolWindow(tf: TF, x: Tensor, kernelAttrs: KernelAttrs): PoolWindow | undefined {
  const format = kernelAttrs.dataFormat as string | undefined;
  if (format !== undefined && format !== 'NHWC' && format !== 'channelsLast') {
    throw new PretextError(
      `Native pooling gradients take channels-last (NHWC) tensors, not '${format}'.`,
      "Keep image tensors as [batch, height, width, channels] (tf.layers' default 'channelsLast'), or transpose them before pooling."
    );
  }
  const { pad, dimRoundingMode } = kernelAttrs as { pad: unknown; dimRoundingMode?: unknown };
  if (x.rank !== 4 || (pad !== 'same' && pad !== 'valid') || dimRoundingMode != null) {
    return undefined;
  }
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    kernelAttrs.filterSize as number | [number, number],
    kernelAttrs.strides as number | [number, number],
    1,
    pad
  );
  return {
    ksize: [1, info.filterHeight, info.filterWidth, 1],
    strides: [1, info.strideHeight, info.strideWidth, 1],
    padding: pad === 'same' ? 'SAME' : 'VALID'
  };
}

function windowAttrs(backend: NodeBackend, w: PoolWindow) {
  const at = attrs(backend);
  return [
    at.type('T', 'float32'),
    at.ints('ksize', w.ksize),
    at.ints('strides', w.strides),
    at.string('padding', w.padding),
    at.string('data_format', 'NHWC'),
    at.string('_kernel', MKL_LABEL)
  ];
}

/** oneDNN max-pool forward: the output as a tfjs tensor, the workspace as a raw TF handle. */
function onednnMaxPool(backend: RawBackend, x: Tensor, w: PoolWindow): [Tensor, number] {
  const [y, workspace] = backend.binding.executeOp(
    '_MklNativeMaxPool',
    windowAttrs(backend, w),
    backend.getInputTensorIds([x]),
    2
  );
  return [backend.createOutputTensor(y), workspace.id];
}

function onednnMaxPoolGrad(
  backend: RawBackend,
  x: Tensor,
  y: Tensor,
  dy: Tensor,
  w: PoolWindow,
  workspace: number
): Tensor {
  const ids = [...backend.getInputTensorIds([x, y, dy]), workspace];
  const [dx] = backend.binding.executeOp('_MklNativeMaxPoolGrad', windowAttrs(backend, w), ids, 1);
  return backend.createOutputTensor(dx);
}

/**
 * Whether the oneDNN pooling ops can be used: the linked TF must be the pinned build and the
 * ops must run (a tiny forward and gradient, once). `op` names the gradient op to probe, so
 * tests can probe a missing one.
 */
export function onednnPoolingAvailable(
  tf: TF,
  options: { version?: string; op?: string } = {}
): boolean {
  const backend = nodeBackend(tf) as RawBackend;
  const version = options.version ?? backend.binding.TF_Version;
  // oneDNN kernels are CPU kernels: on a GPU build they would copy every pool to the host.
  if (version !== ONEDNN_PINNED_TF || backend.isUsingGpuDevice) {
    return false;
  }
  let workspace: number | undefined;
  try {
    tf.tidy(() => {
      const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      const w: PoolWindow = { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'VALID' };
      const [y, ws] = onednnMaxPool(backend, x, w);
      workspace = ws;
      const ids = [...backend.getInputTensorIds([x, y, tf.onesLike(y)]), ws];
      const [dx] = backend.binding.executeOp(
        options.op ?? '_MklNativeMaxPoolGrad',
        windowAttrs(backend, w),
        ids,
        1
      );
      const grad = backend.createOutputTensor(dx).dataSync();
      if (grad[3] !== 1 || grad[0] !== 0) {
        throw new Error('oneDNN max-pool gradient is off');
      }
    });
    return true;
  } catch {
    return false;
  } finally {
    if (workspace !== undefined) {
      backend.binding.deleteTensor(workspace);
    }
  }
}

const covered = (dy: Tensor, x: Tensor) => dy.dtype === 'float32' && x.dtype === 'float32';

export interface PoolingOverrides {
  gradients: NativeGradient[];
  kernels: KernelOverride[];
}

export function poolingOverrides(tf: TF): PoolingOverrides {
  const toWindow = (a: Record<string, unknown>) => a as unknown as PoolWindow;
  const maxPoolGrad = nativeKernel(tf, '_MklNativeMaxPoolGrad', (backend, [x, y, dy], a) =>
    onednnMaxPoolGrad(backend as RawBackend, x, y, dy, toWindow(a), workspaceOf(y)!)
  );
  const avgPoolGrad = nativeKernel(tf, '_MklNativeAvgPoolGrad', (backend, [x, dy], a) => {
    const shape = tf.tensor1d(x.shape, 'int32');
    try {
      return backend.executeSingleOutput(
        '_MklNativeAvgPoolGrad',
        windowAttrs(backend, toWindow(a)),
        [shape, dy]
      );
    } finally {
      shape.dispose();
    }
  });
  const maxPoolForward: KernelOverride = {
    kernelName: 'MaxPool',
    make: original => ({
      ...original,
      kernelFunc: args => {
        const x = args.inputs.x as Tensor;
        const backend = args.backend as unknown as RawBackend;
        // Only a recorded forward needs the workspace; inference runs tfjs-node's kernel.
        const recording =
          (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;
        const w =
          recording && x.dtype === 'float32'
            ? poolWindow(tf, x, args.attrs as KernelAttrs)
            : undefined;
        if (!w) {
          return original.kernelFunc(args);
        }
        takeWorkspaceHook(backend);
        const [y, workspace] = onednnMaxPool(backend, x, w);
        keepWorkspace(y, workspace);
        return y;
      }
    })
  };
  return {
    kernels: [maxPoolForward],
    gradients: [
      {
        kernelName: 'MaxPool',
        grad: (_tf, dy, [x, y], a) => {
          const w = poolWindow(tf, x, a);
          // No workspace: the forward ran before install or outside a gradient; the original runs.
          if (!w || !covered(dy, x) || workspaceOf(y) === undefined) {
            return undefined;
          }
          return { x: () => maxPoolGrad([x, y, dy], { ...w }) };
        }
      },
      {
        kernelName: 'AvgPool',
        grad: (_tf, dy, [x], a) => {
          const w = poolWindow(tf, x, a);
          if (!w || !covered(dy, x)) {
            return undefined;
          }
          return { x: () => avgPoolGrad([x, dy], { ...w }) };
        }
      }
    ]
  };
}
