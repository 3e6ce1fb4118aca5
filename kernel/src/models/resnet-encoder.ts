/**
 * A small ResNet-style image encoder (He et al., 2016): a 3x3 stem convolution, then stages of
 * basic residual blocks (conv3x3 → ReLU → conv3x3, added to the block's input, then ReLU). The
 * first block of every stage after the first halves the spatial size with a stride-2
 * convolution, and its shortcut is a strided 1x1 convolution so the shapes add up. Global
 * average pooling gives one feature vector per image.
 *
 * Sized for small images on a CPU: the default, widths [16, 32, 64] with one block per stage,
 * is a 7-layer-deep ResNet of ~70k parameters. Built with the tfjs-layers functional API from
 * standard layers only (conv2d, add, activation, globalAveragePooling2d), so it serialises
 * with toJSON/save, loads with tf.loadLayersModel, and rebuilds from its config — what export,
 * evaluation's cloneEncoder and the momentum tasks' targetCopy need.
 *
 * Batch norm is off by default for the reason convEncoder gives (measured there: ~3x slower
 * steps on tfjs-node for no accuracy gain in short runs). Without it, each residual branch's
 * last convolution starts at zero, so every block begins as the identity (the "zero-init
 * residual" of Goyal et al., 2017): the network starts as shallow as its shortcuts and the
 * activations cannot grow block by block, which is what batch norm would otherwise prevent.
 * With `batchNorm: true`, it follows each convolution (momentum 0.9, as in convEncoder), and
 * the last one of each branch starts with gamma 0 for the same reason.
 */
import { tf, type LayersModel } from '../backend/tf';
import { check } from '../util/errors';
import { deriveSeed } from '../util/random';
import { checkStageList, imageEncoderCommon, isPositiveInt } from './image-encoder-options';

export interface ResnetEncoderOptions {
  /** [height, width, channels] of one image, e.g. [28, 28, 1]. */
  inputShape: [number, number, number];
  /** Channels per stage; the spatial size halves between stages. Default [16, 32, 64]. */
  widths?: number[];
  /** Residual blocks per stage (default 1). */
  blocksPerStage?: number;
  /** Adds a linear layer to this many features after pooling; default: none (last width). */
  embeddingDim?: number;
  /** Batch normalisation after each convolution (default false; ~3x slower steps on CPU). */
  batchNorm?: boolean;
  /** Seeds the weight initialisers, so the same seed gives the same starting encoder. */
  seed?: number;
  /** Model name, shown in errors, summaries and model cards (default 'resnet_encoder'). */
  name?: string;
}

const OPTION_NAMES = [
  'inputShape',
  'widths',
  'blocksPerStage',
  'embeddingDim',
  'batchNorm',
  'seed',
  'name'
];

/** A layer output in the functional API (tfjs's SymbolicTensor). */
type SymbolicTensor = ReturnType<typeof tf.input>;

export function resnetEncoder(options: ResnetEncoderOptions): LayersModel {
  const { inputShape, embeddingDim, batchNorm, seed, name } = imageEncoderCommon(
    'resnetEncoder',
    options,
    OPTION_NAMES,
    'resnet_encoder'
  );
  const widths = options.widths ?? [16, 32, 64];
  checkStageList('resnetEncoder', 'widths', widths, '[16, 32, 64]');
  const blocksPerStage = options.blocksPerStage ?? 1;
  check(
    isPositiveInt(blocksPerStage),
    `resnetEncoder: blocksPerStage must be a positive integer, got ${String(blocksPerStage)}.`,
    'Pass e.g. blocksPerStage: 2 (a ResNet-18 has 2).'
  );

  // Every initialiser gets its own derived seed, in build order.
  let initIndex = 0;
  const heNormal = () =>
    tf.initializers.heNormal(seed === undefined ? {} : { seed: deriveSeed(seed, initIndex++) });

  const conv = (
    x: SymbolicTensor,
    filters: number,
    kernelSize: number,
    strides: number,
    layerName: string,
    zeroInit = false
  ): SymbolicTensor => {
    // A branch's last conv starts at zero only without batch norm (with it, gamma does that).
    const startAtZero = zeroInit && !batchNorm;
    let y = tf.layers
      .conv2d({
        filters,
        kernelSize,
        strides,
        padding: 'same',
        useBias: !batchNorm,
        kernelInitializer: startAtZero ? 'zeros' : heNormal(),
        name: layerName
      })
      .apply(x) as SymbolicTensor;
    if (batchNorm) {
      y = tf.layers
        .batchNormalization({
          momentum: 0.9,
          epsilon: 1e-5,
          gammaInitializer: zeroInit ? 'zeros' : 'ones',
          name: `${layerName}_bn`
        })
        .apply(y) as SymbolicTensor;
    }
    return y;
  };
  const relu = (x: SymbolicTensor, layerName: string): SymbolicTensor =>
    tf.layers.activation({ activation: 'relu', name: layerName }).apply(x) as SymbolicTensor;

  const input = tf.input({ shape: inputShape, name: `${name}_input` });
  let x = relu(conv(input, widths[0], 3, 1, `${name}_stem`), `${name}_stem_relu`);
  let channels = widths[0];
  widths.forEach((width, s) => {
    for (let b = 0; b < blocksPerStage; b++) {
      const block = `${name}_s${s + 1}b${b + 1}`;
      const strides = s > 0 && b === 0 ? 2 : 1;
      const branch = relu(conv(x, width, 3, strides, `${block}_conv1`), `${block}_relu1`);
      const residual = conv(branch, width, 3, 1, `${block}_conv2`, true);
      // The shortcut must match the branch's shape: a strided 1x1 projection when it changes.
      const shortcut =
        strides !== 1 || channels !== width ? conv(x, width, 1, strides, `${block}_shortcut`) : x;
      const sum = tf.layers
        .add({ name: `${block}_add` })
        .apply([shortcut, residual]) as SymbolicTensor;
      x = relu(sum, `${block}_relu2`);
      channels = width;
    }
  });
  x = tf.layers.globalAveragePooling2d({ name: `${name}_gap` }).apply(x) as SymbolicTensor;
  if (embeddingDim !== undefined) {
    x = tf.layers
      .dense({
        units: embeddingDim,
        kernelInitializer: tf.initializers.glorotUniform(
          seed === undefined ? {} : { seed: deriveSeed(seed, initIndex++) }
        ),
        name: `${name}_embedding`
      })
      .apply(x) as SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x, name });
}
