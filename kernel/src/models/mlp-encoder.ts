/** A small multi-layer perceptron encoder for vector (tabular) data. */
import { tf, type LayersModel } from '../backend/tf';

type SymbolicTensor = ReturnType<typeof tf.input>;
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed } from '../util/random';

export interface MlpEncoderOptions {
  /** Length of each input vector. */
  inputDim: number;
  /** Hidden layer sizes, each followed by ReLU (e.g. [128, 128]). */
  hidden: number[];
  /** Optional final linear layer size (the representation); default: the last hidden size. */
  outputDim?: number;
  /** Seeds the weight initialisers. */
  seed?: number;
  name?: string;
}

const OPTION_NAMES = ['inputDim', 'hidden', 'outputDim', 'seed', 'name'];
const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;

export function mlpEncoder(options: MlpEncoderOptions): LayersModel {
  check(
    typeof options === 'object' && options !== null,
    'mlpEncoder needs an options object.',
    'Call mlpEncoder({ inputDim: 20, hidden: [64, 64] }).'
  );
  checkOptionNames('mlpEncoder', options, OPTION_NAMES);
  check(
    isSize(options.inputDim),
    `mlpEncoder: inputDim must be a positive integer, got ${String(options.inputDim)}.`,
    'Pass the length of each input vector, e.g. inputDim: 20.'
  );
  check(
    Array.isArray(options.hidden) && options.hidden.length > 0 && options.hidden.every(isSize),
    `mlpEncoder: hidden must be a non-empty list of positive integers, got ${JSON.stringify(options.hidden)}.`,
    'Pass e.g. hidden: [64, 64].'
  );
  check(
    options.outputDim === undefined || isSize(options.outputDim),
    `mlpEncoder: outputDim must be a positive integer, got ${String(options.outputDim)}.`,
    'Leave outputDim out or pass e.g. outputDim: 32.'
  );
  const seed = options.seed ?? 0;
  const init = (i: number) => tf.initializers.glorotUniform({ seed: deriveSeed(seed, i) });
  const input = tf.input({ shape: [options.inputDim] });
  let x: SymbolicTensor = input;
  options.hidden.forEach((units, i) => {
    x = tf.layers
      .dense({ units, activation: 'relu', kernelInitializer: init(i) })
      .apply(x) as SymbolicTensor;
  });
  if (options.outputDim !== undefined) {
    x = tf.layers
      .dense({ units: options.outputDim, kernelInitializer: init(options.hidden.length) })
      .apply(x) as SymbolicTensor;
  }
  return tf.model({ inputs: input, outputs: x, name: options.name });
}
