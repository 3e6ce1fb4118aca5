/**
 * Masked language modeling (BERT's pretext task): hide ~15% of each text's tokens and
 * predict them from the rest. To fill a blank the encoder must model which words go with
 * which, so its token states, and the pooled text embedding built from them, learn what texts
 * are about without a single label. The loss counts only the chosen positions.
 */
import {
  tf,
  type LayersModel,
  type Scalar,
  type Tensor,
  type Tensor2D,
  type Tensor3D
} from '../backend/tf';
import { maskTokenIds } from '../augment/token-mask';
import { mlmLoss } from '../losses/token-cross-entropy';
import { tokenPredictionHead } from '../models/heads';
import {
  isTransformerEncoder,
  tokenStatesModel,
  transformerShape
} from '../models/transformer-encoder';
import { MASK_ID, NUM_SPECIAL, WordPieceTokenizer } from '../text/tokenizer';
import { inputIs, parseOptions, says, z } from '../options/schema';
import { check, PretextError } from '../util/errors';
import { deriveSeed } from '../util/random';
import { defineTask } from './define';
import { ratioOption, seedOption, taskOptions } from './options';
import type { PretextTask } from './task';

// The loss lives in losses/; re-exported where MLM users look for it.
export { mlmLoss };

export interface MlmOptions {
  /** A transformerEncoder(); its pooled output is the representation being learned. */
  encoder: LayersModel;
  /** The tokenizer the data was encoded with; checked against the encoder's vocabulary. */
  tokenizer?: WordPieceTokenizer;
  /** Alternatively the vocabulary size (default: the encoder's). */
  vocabSize?: number;
  /** Share of real tokens chosen for prediction per text (default 0.15, as BERT). */
  maskRate?: number;
  /** Seeds the prediction head's weights. */
  seed?: number;
}

export interface MlmTask extends PretextTask {
  /** Token states → vocabulary logits; discarded after pretraining. */
  readonly head: LayersModel;
  /** The same layers as the encoder, outputting per-token states [batch, length, dim]. */
  readonly tokenModel: LayersModel;
}

/** Masked-token targets per step are padded to a multiple of this (see prepare). */
const TARGET_BUCKET = 64;

const mlmOptions = inputIs<MlmOptions>()(
  taskOptions(
    'mlm',
    'mlm({ encoder: transformerEncoder({ vocabSize: tokenizer.vocabSize }), tokenizer: tokenizer })',
    encoder =>
      check(
        isTransformerEncoder(encoder as LayersModel),
        'mlm: the encoder is not a transformer text encoder.',
        'Build one with transformerEncoder({ vocabSize: tokenizer.vocabSize, maxLength: tokenizer.maxLength }).'
      ),
    {
      // Any object with the tokenizer's sizes: one loaded from disk is as good as a trained one.
      tokenizer: z
        .custom<WordPieceTokenizer>(
          v =>
            typeof (v as WordPieceTokenizer | null)?.vocabSize === 'number' &&
            typeof (v as WordPieceTokenizer).maxLength === 'number',
          says(
            v => `mlm: tokenizer must be a WordPieceTokenizer, got ${String(v)}.`,
            'Pass the tokenizer the data was encoded with, e.g. tokenizer: trainTokenizer(corpus.texts).'
          )
        )
        .optional(),
      // Whether it matches the encoder's vocabulary is checked below.
      vocabSize: z.custom<number>().optional(),
      maskRate: ratioOption('mlm', 'maskRate', 0.15),
      seed: seedOption('mlm').default(0)
    }
  )
);

export function mlm(options: MlmOptions): MlmTask {
  const { encoder, tokenizer, maskRate, seed, ...given } = parseOptions(mlmOptions, options);
  const shape = transformerShape(encoder);
  const vocabSize = given.vocabSize ?? tokenizer?.vocabSize ?? shape.vocabSize;
  check(
    vocabSize === shape.vocabSize,
    `mlm: the vocabulary has ${vocabSize} tokens but encoder '${encoder.name}' embeds ${shape.vocabSize}.`,
    'Build the encoder with vocabSize: tokenizer.vocabSize for the tokenizer that encoded the data.'
  );
  check(
    tokenizer === undefined || tokenizer.maxLength === shape.maxLength,
    `mlm: the tokenizer encodes ${tokenizer?.maxLength} tokens per text but the encoder takes ${shape.maxLength}.`,
    'Build the encoder with maxLength: tokenizer.maxLength.'
  );
  const tokenModel = tokenStatesModel(encoder);
  // BERT's prediction head: a transform with layer norm, then one logit per vocabulary token.
  const head = tokenPredictionHead(shape.dim, vocabSize, {
    name: `${encoder.name}_mlm_head`,
    seed
  });

  const prepare = (batch: Tensor, stepSeed: number): Tensor[] => {
    check(
      batch instanceof tf.Tensor && batch.rank === 2 && batch.dtype === 'int32',
      `mlm: batches must be int32 token ids [batch, ${shape.maxLength}], got ${batch instanceof tf.Tensor ? `${batch.dtype} [${batch.shape.join(', ')}]` : typeof batch}.`,
      'Train on textDataset(corpus, tokenizer) (or its split), not on raw texts or images.'
    );
    check(
      batch.shape[1] === shape.maxLength,
      `mlm: rows have ${batch.shape[1]} tokens but encoder '${encoder.name}' takes ${shape.maxLength}.`,
      'Encode with a tokenizer whose maxLength matches the encoder.'
    );
    const [rows, length] = batch.shape as [number, number];
    const original = batch.dataSync() as Int32Array;
    const masked = maskTokenIds(original, { vocabSize, maskRate, seed: deriveSeed(stepSeed, 1) });
    let positions = masked.positions;
    if (positions.length === 0) {
      // A small batch of short texts can draw no target at all; predict the first real token.
      const first = original.findIndex(id => id >= NUM_SPECIAL);
      if (first < 0) {
        throw new PretextError(
          'mlm: this batch holds no real tokens (only [CLS] [SEP] [PAD]).',
          'Check the texts (corpus.report) and that the tokenizer was trained on this corpus.'
        );
      }
      masked.ids[first] = MASK_ID;
      positions = Int32Array.of(first);
    }
    // Targets padded to a multiple of TARGET_BUCKET (weight 0), so the step's shapes repeat
    // from batch to batch and a compiled step is reused.
    const padded = Math.ceil(positions.length / TARGET_BUCKET) * TARGET_BUCKET;
    const at = new Int32Array(padded);
    at.set(positions);
    const targets = new Int32Array(padded);
    positions.forEach((p, i) => (targets[i] = original[p]));
    const weights = new Float32Array(padded);
    weights.fill(1, 0, positions.length);
    return [
      tf.tensor2d(masked.ids, [rows, length], 'int32'),
      tf.tensor1d(at, 'int32'),
      tf.tensor1d(targets, 'int32'),
      tf.tensor1d(weights, 'float32')
    ];
  };
  const objective = ([input, at, targets, weights]: Tensor[]): Scalar =>
    tf.tidy(() => {
      const [rows, length] = input.shape as [number, number];
      const states = tokenModel.apply(input, { training: true }) as Tensor3D;
      const picked = tf.gather(states.reshape([rows * length, shape.dim]), at);
      const logits = head.apply(picked, { training: true }) as Tensor2D;
      return mlmLoss(logits, targets, weights);
    });
  const stages = { prepare, objective };

  return defineTask({
    method: 'mlm',
    encoder,
    // tokenModel shares the encoder's layers: it is not a head (disposing it would free them).
    heads: { head },
    stages,
    loss: (batch, stepSeed) => tf.tidy(() => objective(prepare(batch, stepSeed))),
    config: { maskRate, vocabSize, maxLength: shape.maxLength, encoder: encoder.name },
    fields: { head, tokenModel }
  });
}

export interface FilledBlank {
  /** Which [MASK] in the text (0 = first). */
  blank: number;
  predictions: { token: string; probability: number }[];
}

/**
 * The model's top guesses for each [MASK] in `text`, e.g.
 * fillMask(task, tokenizer, 'click [MASK] to be removed'): a quick look at what it learned.
 */
export function fillMask(
  task: MlmTask,
  tokenizer: WordPieceTokenizer,
  text: string,
  topK = 5
): FilledBlank[] {
  check(
    typeof text === 'string' && text.includes('[MASK]'),
    'fillMask needs a text with at least one [MASK] in it.',
    "Write the blank as [MASK], e.g. 'click [MASK] to be removed'."
  );
  const ids: number[] = [];
  text.split('[MASK]').forEach((part, i) => {
    if (i > 0) {
      ids.push(MASK_ID);
    }
    ids.push(...tokenizer.encodeIds(part));
  });
  const row = new Int32Array(tokenizer.maxLength);
  const kept = ids.slice(0, tokenizer.maxLength - 2);
  row[0] = 2;
  row.set(kept, 1);
  row[kept.length + 1] = 3;
  const blanks = [...kept.keys()].filter(i => kept[i] === MASK_ID).map(i => i + 1);
  check(
    blanks.length > 0,
    `fillMask: every [MASK] falls past the first ${tokenizer.maxLength - 2} tokens.`,
    'Put the blank nearer the start of the text.'
  );
  return tf.tidy(() => {
    const states = task.tokenModel.predict(tf.tensor2d(row, [1, row.length], 'int32')) as Tensor3D;
    const picked = tf.gather(states.reshape([row.length, -1]), tf.tensor1d(blanks, 'int32'));
    const probs = tf.softmax(task.head.predict(picked) as Tensor2D);
    const top = tf.topk(probs, topK);
    const values = top.values.arraySync() as number[][];
    const indices = top.indices.arraySync() as number[][];
    return blanks.map((_, b) => ({
      blank: b,
      predictions: indices[b].map((id, k) => ({
        token: tokenizer.tokenOf(id),
        probability: values[b][k]
      }))
    }));
  });
}
