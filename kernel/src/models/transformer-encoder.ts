/**
 * A small transformer encoder for text (BERT-like, pre-layer-norm): token + learned position
 * embeddings, N blocks of multi-head self-attention and a feed-forward layer, each with a
 * residual connection. The model's OUTPUT is one vector per text (the mean of the final token
 * states over real, non-pad tokens), so evaluation, kNN, probes and export treat it like any
 * other encoder. Token-level tasks (masked language modeling) get the per-token states from
 * `tokenStatesModel(encoder)`, a second model over the same layers and weights.
 */
import { tf, type LayersModel } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed } from '../util/random';
import { normalInit } from './layers/base';
import { LayerNorm } from './layers/layer-norm';
import { MaskedMeanPool } from './layers/masked-mean-pool';
import { PadMask } from './layers/pad-mask';
import { PositionEmbedding } from './layers/position-embedding';
import { SelfAttention } from './layers/self-attention';

type SymbolicTensor = ReturnType<typeof tf.input>;

export interface TransformerEncoderOptions {
  /** Vocabulary size: `tokenizer.vocabSize`. */
  vocabSize: number;
  /** Tokens per row: `tokenizer.maxLength` (default 64). */
  maxLength?: number;
  /** Width of token states and of the text embedding (default 64). */
  dim?: number;
  /** Transformer blocks (default 2). */
  layers?: number;
  /** Attention heads per block; must divide dim (default 4). */
  heads?: number;
  /** Hidden width of each block's feed-forward layer (default 2 * dim). */
  ffnDim?: number;
  /** Dropout after attention and feed-forward (default 0: small data, short runs). */
  dropout?: number;
  /** Seeds every initializer: the same seed gives the same weights. */
  seed?: number;
  name?: string;
}

const OPTION_NAMES = [
  'vocabSize',
  'maxLength',
  'dim',
  'layers',
  'heads',
  'ffnDim',
  'dropout',
  'seed',
  'name'
];
const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;

export function transformerEncoder(options: TransformerEncoderOptions): LayersModel {
  check(
    typeof options === 'object' && options !== null,
    'transformerEncoder needs an options object.',
    'Call transformerEncoder({ vocabSize: tokenizer.vocabSize, maxLength: tokenizer.maxLength }).'
  );
  checkOptionNames('transformerEncoder', options, OPTION_NAMES);
  const {
    vocabSize,
    maxLength = 64,
    dim = 64,
    layers = 2,
    heads = 4,
    dropout = 0,
    seed = 0,
    name = 'transformer'
  } = options;
  const ffnDim = options.ffnDim ?? 2 * dim;
  for (const [key, value] of Object.entries({ vocabSize, maxLength, dim, layers, heads, ffnDim })) {
    check(
      isSize(value),
      `transformerEncoder: ${key} must be a positive integer, got ${String(value)}.`,
      key === 'vocabSize'
        ? 'Pass vocabSize: tokenizer.vocabSize.'
        : `Leave ${key} out for the default, or pass a positive integer.`
    );
  }
  check(
    dim % heads === 0,
    `transformerEncoder: dim ${dim} does not divide into ${heads} heads.`,
    `Use a head count that divides ${dim}, e.g. heads: ${[4, 2, 1].find(h => dim % h === 0)}.`
  );
  check(
    typeof dropout === 'number' && dropout >= 0 && dropout < 1,
    `transformerEncoder: dropout must be in [0, 1), got ${String(dropout)}.`,
    'Use e.g. dropout: 0.1, or leave it out.'
  );
  let k = 0;
  const next = () => deriveSeed(seed, k++);
  const dense = (units: number, activation?: 'gelu', layerName?: string) =>
    tf.layers.dense({
      units,
      ...(activation ? { activation } : {}),
      kernelInitializer: tf.initializers.glorotUniform({ seed: next() }),
      name: layerName
    });
  const drop = (x: SymbolicTensor) =>
    dropout > 0
      ? (tf.layers.dropout({ rate: dropout, seed: next() }).apply(x) as SymbolicTensor)
      : x;
  const norm = () => new LayerNorm({ epsilon: 1e-6 });

  const ids = tf.input({ shape: [maxLength], dtype: 'int32', name: `${name}_token_ids` });
  const mask = new PadMask().apply(ids) as SymbolicTensor;
  let x = tf.layers
    .embedding({
      inputDim: vocabSize,
      outputDim: dim,
      embeddingsInitializer: normalInit(0.02, next())
    })
    .apply(ids) as SymbolicTensor;
  x = new PositionEmbedding({ seed: next() }).apply(x) as SymbolicTensor;
  for (let block = 0; block < layers; block++) {
    const attended = new SelfAttention({ heads, seed: next() }).apply([
      norm().apply(x) as SymbolicTensor,
      mask
    ]) as SymbolicTensor;
    x = tf.layers.add().apply([x, drop(attended)]) as SymbolicTensor;
    const hidden = dense(ffnDim, 'gelu').apply(norm().apply(x)) as SymbolicTensor;
    x = tf.layers
      .add()
      .apply([x, drop(dense(dim).apply(hidden) as SymbolicTensor)]) as SymbolicTensor;
  }
  const states = norm().apply(x) as SymbolicTensor;
  const pooled = new MaskedMeanPool({ name: `${name}_pool` }).apply([
    states,
    mask
  ]) as SymbolicTensor;
  return tf.model({ inputs: ids, outputs: pooled, name });
}

/** The pooling layer of a transformer encoder: its first input is the final token states. */
function poolLayer(encoder: LayersModel) {
  return encoder.layers.find(
    l => l instanceof MaskedMeanPool || l.getClassName() === MaskedMeanPool.className
  );
}

/** Whether `model` is a text encoder built by transformerEncoder() (or loaded/cloned from one). */
export function isTransformerEncoder(model: unknown): model is LayersModel {
  return (
    model !== null &&
    typeof model === 'object' &&
    Array.isArray((model as LayersModel).layers) &&
    poolLayer(model as LayersModel) !== undefined
  );
}

function checkTransformer(what: string, encoder: unknown): asserts encoder is LayersModel {
  check(
    isTransformerEncoder(encoder),
    `${what}: the encoder is not a transformer text encoder.`,
    'Build one with transformerEncoder({ vocabSize: tokenizer.vocabSize, maxLength: tokenizer.maxLength }).'
  );
}

/** Vocabulary size and row length a transformer encoder was built for. */
export function transformerShape(encoder: LayersModel): {
  vocabSize: number;
  maxLength: number;
  dim: number;
} {
  checkTransformer('transformerShape', encoder);
  const embedding = encoder.layers.find(l => l.getClassName() === 'Embedding');
  const config = embedding!.getConfig() as { inputDim: number; outputDim: number };
  const length = encoder.inputs[0].shape[1];
  return { vocabSize: config.inputDim, maxLength: length as number, dim: config.outputDim };
}

/**
 * A model over the same layers (and so the same weights) as `encoder` that outputs the
 * final per-token states [batch, length, dim] instead of the pooled vector. Training it
 * trains the encoder. Do not dispose it: that would dispose the encoder's weights.
 */
export function tokenStatesModel(encoder: LayersModel): LayersModel {
  checkTransformer('tokenStatesModel', encoder);
  const states = (poolLayer(encoder)!.input as SymbolicTensor[])[0];
  return tf.model({ inputs: encoder.inputs, outputs: states, name: `${encoder.name}_tokens` });
}
