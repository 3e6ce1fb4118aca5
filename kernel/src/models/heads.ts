/**
 * Heads that sit on top of an encoder during pretraining and are thrown away afterwards.
 */
import { tf, type LayersModel } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed } from '../util/random';

export interface ProjectionHeadOptions {
  /** Hidden layer width (default: inputDim). */
  hidden?: number;
  /** Output (projection) width (default 64). */
  output?: number;
  /** Seeds the weight initialisers. */
  seed?: number;
  /** Model name (default 'projection_head'). */
  name?: string;
}

const isPositiveInt = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0;

/**
 * The SimCLR projection MLP: dense(hidden) → ReLU → dense(output). The loss is computed on its
 * output, while the encoder features before it are what downstream tasks use.
 */
export function projectionHead(inputDim: number, options: ProjectionHeadOptions = {}): LayersModel {
  checkOptionNames('projectionHead', options, ['hidden', 'output', 'seed', 'name']);
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
  const name = options.name ?? 'projection_head';
  const init = (i: number) =>
    tf.initializers.glorotUniform(seed === undefined ? {} : { seed: deriveSeed(seed, i) });
  return tf.sequential({
    name,
    layers: [
      tf.layers.dense({
        inputShape: [inputDim],
        units: hidden,
        activation: 'relu',
        kernelInitializer: init(0),
        name: `${name}_hidden`
      }),
      tf.layers.dense({ units: output, kernelInitializer: init(1), name: `${name}_out` })
    ]
  });
}
