/**
 * Heads that sit on top of an encoder during pretraining and are thrown away afterwards: all
 * of them, so methods compose them instead of building their own.
 */
import { tf, type LayersModel } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed } from '../util/random';
import { LayerNorm } from './layers/layer-norm';

export interface ProjectionHeadOptions {
  /** Hidden layer width (default: inputDim). */
  hidden?: number;
  /** Output (projection) width (default 64). */
  output?: number;
  /** Seeds the weight initialisers. */
  seed?: number;
  /** Model name (default 'projection_head'). */
  name?: string;
  /**
   * Batch norm between the hidden layer and its ReLU (default false), as SimCLR's own heads
   * have: it normalises the projections' scale over the batch.
   */
  batchNorm?: boolean;
}

const isPositiveInt = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0;

/**
 * The SimCLR projection MLP: dense(hidden) → ReLU → dense(output). The loss is computed on its
 * output, while the encoder features before it are what downstream tasks use.
 */
export function projectionHead(inputDim: number, options: ProjectionHeadOptions = {}): LayersModel {
  checkOptionNames('projectionHead', options, ['hidden', 'output', 'seed', 'name', 'batchNorm']);
  check(
    isPositiveInt(inputDim),
    `projectionHead: inputDim must be a positive integer, got ${String(inputDim)}.`,
    "Pass the encoder's feature size, e.g. modelOutputDim(encoder)."
  );
  const hidden = options.hidden ?? inputDim;
  const output = options.output ?? 64;
  check(
    isPositiveInt(hidden),
    `projectionHead: hidden must be a positive integer, got ${String(hidden)}.`,
    'Pass e.g. hidden: 128.'
  );
  check(
    isPositiveInt(output),
    `projectionHead: output must be a positive integer, got ${String(output)}.`,
    'Pass e.g. output: 64.'
  );
  const { seed } = options;
  check(
    seed === undefined || (typeof seed === 'number' && Number.isFinite(seed)),
    `projectionHead: seed must be a finite number, got ${String(seed)}.`,
    'Pass an integer seed such as 0, or leave it out.'
  );
  check(
    options.batchNorm === undefined || typeof options.batchNorm === 'boolean',
    `projectionHead: batchNorm must be true or false, got ${String(options.batchNorm)}.`,
    'Pass batchNorm: true, or leave it out.'
  );
  const name = options.name ?? 'projection_head';
  const init = (i: number) =>
    tf.initializers.glorotUniform(seed === undefined ? {} : { seed: deriveSeed(seed, i) });
  const hiddenLayers = options.batchNorm
    ? [
        tf.layers.dense({
          inputShape: [inputDim],
          units: hidden,
          useBias: false,
          kernelInitializer: init(0),
          name: `${name}_hidden`
        }),
        tf.layers.batchNormalization({ name: `${name}_hidden_bn` }),
        tf.layers.reLU({ name: `${name}_hidden_relu` })
      ]
    : [
        tf.layers.dense({
          inputShape: [inputDim],
          units: hidden,
          activation: 'relu',
          kernelInitializer: init(0),
          name: `${name}_hidden`
        })
      ];
  return tf.sequential({
    name,
    layers: [
      ...hiddenLayers,
      tf.layers.dense({ units: output, kernelInitializer: init(1), name: `${name}_out` })
    ]
  });
}

/** Glorot-uniform initialiser, seeded with deriveSeed(seed, i) when a seed is given. */
const seededInit = (seed: number | undefined, i: number) =>
  tf.initializers.glorotUniform(seed === undefined ? {} : { seed: deriveSeed(seed, i) });

export interface LinearHeadOptions {
  /** Model name; its one layer is `${name}_out`. */
  name: string;
  /** Seeds the weights exactly (not derived): the same seed gives the same head. */
  seed?: number;
}

/** One dense layer, no activation: a classifier's logits (rotation) or VIME's per-feature heads. */
export function linearHead(
  inputDim: number,
  units: number,
  options: LinearHeadOptions
): LayersModel {
  const { name, seed } = options;
  return tf.sequential({
    name,
    layers: [
      tf.layers.dense({
        inputShape: [inputDim],
        units,
        kernelInitializer: tf.initializers.glorotUniform(seed === undefined ? {} : { seed }),
        name: `${name}_out`
      })
    ]
  });
}

export interface ReconstructionHeadOptions {
  name: string;
  /** Hidden width (default 256). */
  hidden?: number;
  /** 'sigmoid' for pixels in [0, 1], 'linear' for unbounded (standardised) readings. */
  activation: 'sigmoid' | 'linear';
  /** Seeds the two dense layers with deriveSeed(seed, 1) and deriveSeed(seed, 2). */
  seed?: number;
}

/**
 * Encoder features back to an input of `outputShape` (masked reconstruction's decoder):
 * dense(hidden) → ReLU → dense(prod(outputShape)) → reshape.
 */
export function reconstructionHead(
  inputDim: number,
  outputShape: number[],
  options: ReconstructionHeadOptions
): LayersModel {
  const { seed } = options;
  return tf.sequential({
    name: options.name,
    layers: [
      tf.layers.dense({
        inputShape: [inputDim],
        units: options.hidden ?? 256,
        activation: 'relu',
        kernelInitializer: seededInit(seed, 1)
      }),
      tf.layers.dense({
        units: outputShape.reduce((a, b) => a * b, 1),
        activation: options.activation,
        kernelInitializer: seededInit(seed, 2)
      }),
      tf.layers.reshape({ targetShape: outputShape })
    ]
  });
}

/**
 * BERT's token prediction head: a transform with GELU and layer norm, then one logit per
 * vocabulary token. Seeds its dense layers with deriveSeed(seed, 1) and deriveSeed(seed, 2).
 */
export function tokenPredictionHead(
  dim: number,
  vocabSize: number,
  options: { name: string; seed: number }
): LayersModel {
  return tf.sequential({
    name: options.name,
    layers: [
      tf.layers.dense({
        inputShape: [dim],
        units: dim,
        activation: 'gelu',
        kernelInitializer: seededInit(options.seed, 1)
      }),
      new LayerNorm({ epsilon: 1e-6 }),
      tf.layers.dense({ units: vocabSize, kernelInitializer: seededInit(options.seed, 2) })
    ]
  });
}
