/**
 * A small 1-D convolutional encoder for windows of multichannel time series, [steps, channels]
 * → one feature vector: stages of conv1d → ReLU, every stage after the first with stride 2, so
 * three stages of kernel 5 see 29 steps, then global pooling over time.
 *
 * Strided, not dilated (TS2Vec and TCNs use dilation 1, 2, 4 for the same receptive field at
 * full resolution): TensorFlow.js has no gradient for dilated convolutions ("dilation rates
 * greater than 1 are not yet supported in gradients", tfjs-core 4.x), so a dilated encoder
 * could not be trained here. Striding reaches as far and costs less.
 *
 * Pooling defaults to average AND max, concatenated: the average summarises the operating
 * state, the max keeps short events (a spike in one step) that averaging over a window would
 * wash out — which matters for anomaly detection.
 */
import { tf, type LayersModel } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed } from '../util/random';

type SymbolicTensor = ReturnType<typeof tf.input>;

export interface Conv1dEncoderOptions {
  /** [steps, channels] of one window, e.g. [64, 3]. */
  inputShape: [number, number];
  /** Filters per stage (default [32, 64, 64]). */
  filters?: number[];
  /** Kernel width in steps (default 5). */
  kernelSize?: number;
  /** 'avg+max' (default), 'avg' or 'max' pooling over time. */
  pooling?: 'avg+max' | 'avg' | 'max';
  /** Adds a linear layer to this many features after pooling; default: none. */
  embeddingDim?: number;
  /** Seeds the weight initialisers. */
  seed?: number;
  /** Model name (default 'conv1d_encoder'). */
  name?: string;
}

const OPTION_NAMES = [
  'inputShape',
  'filters',
  'kernelSize',
  'pooling',
  'embeddingDim',
  'seed',
  'name'
];

const isPositiveInt = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0;

export function conv1dEncoder(options: Conv1dEncoderOptions): LayersModel {
  const what = 'conv1dEncoder';
  check(
    typeof options === 'object' && options !== null,
    `${what} needs an options object.`,
    'Call conv1dEncoder({ inputShape: [64, 3] }) for windows of 64 steps and 3 channels.'
  );
  checkOptionNames(what, options, OPTION_NAMES);
  const { inputShape } = options;
  check(
    Array.isArray(inputShape) && inputShape.length === 2 && inputShape.every(isPositiveInt),
    `${what}: inputShape must be [steps, channels] (two positive integers), got ${JSON.stringify(inputShape)}.`,
    'Pass e.g. inputShape: [64, 3]; a single-channel series has channels 1.'
  );
  const filters = options.filters ?? [32, 64, 64];
  check(
    Array.isArray(filters) && filters.length > 0 && filters.every(isPositiveInt),
    `${what}: filters must be a non-empty list of positive integers, got ${JSON.stringify(filters)}.`,
    'Pass e.g. filters: [32, 64, 64] (one entry per stage).'
  );
  const kernelSize = options.kernelSize ?? 5;
  check(
    isPositiveInt(kernelSize),
    `${what}: kernelSize must be a positive integer, got ${String(kernelSize)}.`,
    'Pass e.g. kernelSize: 5.'
  );
  check(
    inputShape[0] >= 2 ** (filters.length - 1),
    `${what}: ${filters.length} stages halve ${inputShape[0]} steps below one.`,
    `Use at most ${Math.floor(Math.log2(inputShape[0])) + 1} stages, or longer windows.`
  );
  const pooling = options.pooling ?? 'avg+max';
  check(
    pooling === 'avg+max' || pooling === 'avg' || pooling === 'max',
    `${what}: pooling must be 'avg+max', 'avg' or 'max', got ${JSON.stringify(pooling)}.`,
    "Pass pooling: 'avg+max' (default) to keep both the state and short events."
  );
  const { embeddingDim, seed } = options;
  check(
    embeddingDim === undefined || isPositiveInt(embeddingDim),
    `${what}: embeddingDim must be a positive integer, got ${String(embeddingDim)}.`,
    'Pass e.g. embeddingDim: 64, or leave it out.'
  );
  check(
    seed === undefined || (typeof seed === 'number' && Number.isFinite(seed)),
    `${what}: seed must be a finite number, got ${String(seed)}.`,
    'Pass an integer seed such as 0, or leave it out.'
  );
  const name = options.name ?? 'conv1d_encoder';
  check(
    typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_.-]*$/.test(name),
    `${what}: name must start with a letter and use letters, digits, '_', '.' or '-', got ${JSON.stringify(name)}.`,
    "Pass a name such as 'sensor_encoder'."
  );

  const init = (i: number) =>
    tf.initializers.heNormal(seed === undefined ? {} : { seed: deriveSeed(seed, i) });
  const input = tf.input({ shape: inputShape, name: `${name}_input` });
  let x: SymbolicTensor = input;
  filters.forEach((f, i) => {
    x = tf.layers
      .conv1d({
        filters: f,
        kernelSize,
        padding: 'same',
        strides: i > 0 ? 2 : 1,
        activation: 'relu',
        kernelInitializer: init(i),
        name: `${name}_conv${i + 1}`
      })
      .apply(x) as SymbolicTensor;
  });
  const pools: SymbolicTensor[] = [];
  if (pooling !== 'max') {
    pools.push(
      tf.layers.globalAveragePooling1d({ name: `${name}_gap` }).apply(x) as SymbolicTensor
    );
  }
  if (pooling !== 'avg') {
    pools.push(tf.layers.globalMaxPooling1d({ name: `${name}_gmp` }).apply(x) as SymbolicTensor);
  }
  x =
    pools.length === 1
      ? pools[0]
      : (tf.layers.concatenate({ name: `${name}_pool` }).apply(pools) as SymbolicTensor);
  if (embeddingDim !== undefined) {
    x = tf.layers
      .dense({
        units: embeddingDim,
        kernelInitializer: tf.initializers.glorotUniform(
          seed === undefined ? {} : { seed: deriveSeed(seed, filters.length) }
        ),
        name: `${name}_embedding`
      })
      .apply(x) as SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x, name });
}
