/**
 * Conv2D layers in training as TF's `Conv2D` then `BiasAdd`, with `BiasAddGrad` for the bias
 * gradient. tfjs-layers runs a conv layer through `tf.fused.conv2d`, which on tfjs-node is
 * Conv2D + a broadcasting `Add`, and whose gradient (one closure for all inputs) always
 * computes the input gradient, also for the first layer, whose input is data, and reduces the
 * bias gradient with a generic `Sum` over three axes. Here each input has its own lazy
 * gradient, so the first layer's `Conv2DBackpropInput` is skipped, and the bias kernels are
 * the ones TF wrote for exactly this layout. This replaces `call` of tfjs-layers' Conv2D class
 * for the cases these kernels cover (4-D float32, channels-last, no dilation, linear
 * activation: Pretext's encoders put the ReLU in its own layer) and leaves every other case
 * (and Conv1D/3D, Conv2DTranspose, SeparableConv2D) to the original. With a bias, on the
 * pinned TF build, the forward is oneDNN's `_MklNativeConv2DWithBias` (the bias as a post-op
 * of the convolution, so no second pass over the largest activation: about as fast as the
 * convolution alone, where BiasAdd after it costs up to 2x for the first layer here); it is
 * probed once and Conv2D + BiasAdd runs otherwise. Forward values are the same as before,
 * bit for bit (TF's eager Conv2D is the same oneDNN kernel); gradients agree within float32
 * rounding (the tests).
 */
import { isTracing } from '../graph/trace';
import type * as tfTypes from '@tensorflow/tfjs-node';
import { attrs, nativeKernel, nodeBackend, type NodeBackend, type TF } from './ops';
import { ONEDNN_PINNED_TF } from './pooling';

type Tensor = tfTypes.Tensor;
type Tensor4D = tfTypes.Tensor4D;

interface LayerVariable {
  read(): tfTypes.Variable;
}

/** The Conv2D fields the native path reads (tfjs-layers' own names). */
interface Conv2DLayer {
  rank: number;
  kernel: LayerVariable | null;
  bias?: LayerVariable | null;
  strides: number[];
  padding: string;
  dataFormat: string;
  dilationRate: number | number[];
  activation?: { getClassName(): string } | null;
}

export type ConvCall = (
  this: Conv2DLayer,
  inputs: Tensor | Tensor[],
  kwargs: Record<string, unknown>
) => Tensor;

let prototype: { call: ConvCall } | undefined;

/** tfjs-layers' Conv2D prototype (the class is not exported by tfjs-node). */
export function conv2dPrototype(tf: TF): { call: ConvCall } {
  // An explicit name: an unnamed layer would use up one of the user's auto-generated names.
  prototype ??= Object.getPrototypeOf(
    tf.layers.conv2d({ filters: 1, kernelSize: 1, name: 'pretext_conv_probe' })
  ) as { call: ConvCall };
  return prototype;
}

/** BiasAdd / BiasAddGrad as differentiable kernels (BiasAddGrad's own gradient: broadcast). */
export function biasKernels(tf: TF) {
  const biasAddGrad: (inputs: Tensor[]) => Tensor = nativeKernel(
    tf,
    'BiasAddGrad',
    (backend, inputs) => {
      const at = attrs(backend);
      const opAttrs = [at.type('T', 'float32'), at.string('data_format', 'NHWC')];
      return backend.executeSingleOutput('BiasAddGrad', opAttrs, inputs);
    },
    { arity: 1, inputs: (ddb, [dy]) => [() => tf.broadcastTo(ddb, dy.shape)] }
  );
  const biasAdd: (inputs: Tensor[]) => Tensor = nativeKernel(
    tf,
    'BiasAdd',
    (backend, inputs) => {
      const at = attrs(backend);
      const opAttrs = [at.type('T', 'float32'), at.string('data_format', 'NHWC')];
      return backend.executeSingleOutput('BiasAdd', opAttrs, inputs);
    },
    { arity: 2, inputs: dy => [() => dy.clone(), () => biasAddGrad([dy])] }
  );
  return { biasAdd, biasAddGrad };
}

const ones = (v: number | number[]) => (Array.isArray(v) ? v : [v]).every(d => d === 1);

interface ConvAttrs {
  strides: [number, number];
  pad: 'same' | 'valid';
}

function withBiasOp(backend: NodeBackend, inputs: Tensor[], a: ConvAttrs): Tensor {
  const at = attrs(backend);
  const opAttrs = [
    at.type('T', 'float32'),
    at.ints('strides', [1, a.strides[0], a.strides[1], 1]),
    at.string('padding', a.pad === 'same' ? 'SAME' : 'VALID'),
    at.string('data_format', 'NHWC'),
    at.ints('dilations', [1, 1, 1, 1]),
    at.bool('use_cudnn_on_gpu', true),
    at.ints('explicit_paddings', []),
    // oneDNN dispatches its internal ops only with this label (as for pooling).
    at.string('_kernel', 'MklNameChangeOp')
  ];
  return backend.executeSingleOutput('_MklNativeConv2DWithBias', opAttrs, inputs);
}

/**
 * Conv2D with its bias in one oneDNN op, differentiable: the input and filter gradients are
 * tfjs's own Conv2D ones (lazy, so an unneeded input gradient is never computed), the bias
 * gradient BiasAddGrad.
 */
export function convWithBiasKernel(tf: TF) {
  const { biasAddGrad } = biasKernels(tf);
  return nativeKernel(
    tf,
    '_MklNativeConv2DWithBias',
    (backend, inputs, a) => withBiasOp(backend, inputs, a as unknown as ConvAttrs),
    {
      arity: 3,
      inputs: (dy, [x, filter], a) => {
        const { strides, pad } = a as unknown as ConvAttrs;
        const conv = tf.getGradient('Conv2D')!.gradFunc(dy, [x, filter], {
          strides,
          pad,
          dataFormat: 'NHWC',
          dilations: [1, 1]
        } as never) as Record<'x' | 'filter', () => Tensor>;
        return [conv.x, conv.filter, () => biasAddGrad([dy])];
      }
    }
  );
}

let fusedAvailable: boolean | undefined;

/** Whether oneDNN's conv-with-bias runs here (pinned TF, CPU) and matches Conv2D + BiasAdd. */
export function convWithBiasAvailable(tf: TF): boolean {
  const backend = nodeBackend(tf);
  if (backend.binding.TF_Version !== ONEDNN_PINNED_TF || backend.isUsingGpuDevice) {
    return false;
  }
  if (fusedAvailable === undefined) {
    try {
      fusedAvailable = tf.tidy(() => {
        const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
        const w = tf.tensor4d([1, -1], [1, 1, 1, 2]);
        const y = withBiasOp(backend, [x, w, tf.tensor1d([10, 20])], {
          strides: [1, 1],
          pad: 'same'
        });
        return y.dataSync().join(',') === '11,19,12,18,13,17,14,16';
      });
    } catch {
      fusedAvailable = false;
    }
  }
  return fusedAvailable;
}

export function nativeConv2dCall(tf: TF, original: ConvCall, fusedBias: boolean): ConvCall {
  const { biasAdd } = biasKernels(tf);
  const withBias = fusedBias ? convWithBiasKernel(tf) : undefined;
  return function call(this: Conv2DLayer, inputs, kwargs) {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const covered =
      (!Array.isArray(inputs) || inputs.length === 1) &&
      this.rank === 2 &&
      this.kernel !== null &&
      x.rank === 4 &&
      x.dtype === 'float32' &&
      this.dataFormat === 'channelsLast' &&
      (this.padding === 'same' || this.padding === 'valid') &&
      ones(this.dilationRate) &&
      (this.activation == null || this.activation.getClassName().toLowerCase() === 'linear');
    // In a traced step TF's graph optimiser fuses plain Conv2D + BiasAdd (+ ReLU) itself and
    // beats the oneDNN op called directly (bench: SimCLR conv at 256, 121-124 vs 133-156 ms).
    if (!covered || isTracing()) {
      return original.call(this, inputs, kwargs);
    }
    const strides = this.strides as [number, number];
    const pad = this.padding as 'same' | 'valid';
    if (withBias && this.bias) {
      return withBias([x, this.kernel!.read(), this.bias.read()], { strides, pad });
    }
    return tf.tidy(() => {
      const y = tf.conv2d(x as Tensor4D, this.kernel!.read() as tfTypes.Tensor4D, strides, pad);
      return this.bias ? biasAdd([y, this.bias.read()]) : y;
    });
  };
}
