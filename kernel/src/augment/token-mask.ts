/**
 * BERT's masking for masked language modeling: choose ~15% of the real tokens as prediction
 * targets; of those, 80% become [MASK], 10% a random token and 10% stay as they are (so the
 * model cannot learn that only [MASK] positions matter). Special tokens and padding are never
 * chosen. Seeded: the same ids and seed give the same masking.
 */
import { tf, type Tensor, type Tensor2D } from '../backend/tf';
import { MASK_ID, NUM_SPECIAL } from '../text/tokenizer';
import { inputIs, optionsObject, parseOptions, says, z } from '../options/schema';
import { check } from '../util/errors';
import { rng } from '../util/random';

export interface TokenMaskOptions {
  /** Vocabulary size: random replacements are drawn from the non-special ids below it. */
  vocabSize: number;
  /** Share of real tokens chosen as targets (default 0.15). */
  maskRate?: number;
  /** Of the chosen: share replaced by [MASK] (default 0.8) and by a random token (default 0.1). */
  maskTokenRate?: number;
  randomTokenRate?: number;
  /** Ids below this are special ([PAD] [UNK] [CLS] [SEP] [MASK]) and never chosen (default 5). */
  numSpecial?: number;
  maskId?: number;
  seed?: number;
}

export interface MaskedTokens {
  /** The ids the model sees. */
  ids: Int32Array;
  /** 1 at chosen positions (the loss counts these only), else 0. */
  weights: Float32Array;
  /** Flat indices of the chosen positions, ascending. */
  positions: Int32Array;
}

const rateOption = (name: string, value: number) =>
  z
    .number(
      says(
        v => `tokenMask: ${name} must be between 0 and 1, got ${String(v)}.`,
        'Use the BERT defaults: maskRate 0.15, maskTokenRate 0.8, randomTokenRate 0.1.'
      )
    )
    .min(0)
    .max(1)
    .default(value);

const tokenMaskOptions = inputIs<TokenMaskOptions>()(
  optionsObject(
    'tokenMask',
    {
      // Checked against numSpecial in maskTokenIds().
      vocabSize: z.custom<number>(),
      maskRate: rateOption('maskRate', 0.15),
      maskTokenRate: rateOption('maskTokenRate', 0.8),
      randomTokenRate: rateOption('randomTokenRate', 0.1),
      numSpecial: z.custom<number>().default(NUM_SPECIAL),
      maskId: z.custom<number>().default(MASK_ID),
      seed: z.custom<number>().default(0)
    },
    {
      problem: v => `tokenMask options must be an object, got ${String(v)}.`,
      fix: 'Pass e.g. { vocabSize: tokenizer.vocabSize }.'
    }
  )
);

/** Masks a flat id array (any row layout: choices are per position). */
export function maskTokenIds(ids: ArrayLike<number>, options: TokenMaskOptions): MaskedTokens {
  const { vocabSize, maskRate, maskTokenRate, randomTokenRate, numSpecial, maskId, seed } =
    parseOptions(tokenMaskOptions, options);
  check(
    Number.isInteger(vocabSize) && vocabSize > numSpecial,
    `tokenMask: vocabSize must be an integer above the ${numSpecial} special ids, got ${String(vocabSize)}.`,
    'Pass vocabSize: tokenizer.vocabSize.'
  );
  check(
    maskTokenRate + randomTokenRate <= 1 + 1e-9,
    `tokenMask: maskTokenRate + randomTokenRate is ${maskTokenRate + randomTokenRate}, more than 1.`,
    'Keep their sum at most 1 (the rest of the chosen tokens stay unchanged).'
  );
  const random = rng(seed);
  const out = Int32Array.from(ids);
  const weights = new Float32Array(out.length);
  const positions: number[] = [];
  for (let i = 0; i < out.length; i++) {
    const id = out[i];
    check(
      Number.isInteger(id) && id >= 0 && id < vocabSize,
      `tokenMask: token id ${id} at position ${i} is outside the vocabulary (0-${vocabSize - 1}).`,
      'Encode the texts with the tokenizer whose vocabSize you passed.'
    );
    if (id < numSpecial || random() >= maskRate) {
      continue;
    }
    weights[i] = 1;
    positions.push(i);
    const action = random();
    if (action < maskTokenRate) {
      out[i] = maskId;
    } else if (action < maskTokenRate + randomTokenRate) {
      out[i] = numSpecial + Math.floor(random() * (vocabSize - numSpecial));
    }
  }
  return { ids: out, weights, positions: Int32Array.from(positions) };
}

/**
 * Masks a batch of token ids [batch, length] (int32). Returns the masked ids and the weight
 * mask [batch, length] (1 at chosen positions) as new tensors; the caller disposes them.
 */
export function tokenMask(
  ids: Tensor,
  options: TokenMaskOptions
): { ids: Tensor2D; weights: Tensor2D } {
  check(
    ids instanceof tf.Tensor && ids.rank === 2 && ids.dtype === 'int32',
    `tokenMask expects int32 token ids [batch, length], got ${ids instanceof tf.Tensor ? `${ids.dtype} [${ids.shape.join(', ')}]` : typeof ids}.`,
    'Pass rows encoded by the tokenizer, e.g. textDataset(corpus, tokenizer).inputs.'
  );
  const shape = ids.shape as [number, number];
  const masked = maskTokenIds(ids.dataSync(), options);
  return {
    ids: tf.tensor2d(masked.ids, shape, 'int32'),
    weights: tf.tensor2d(masked.weights, shape, 'float32')
  };
}
