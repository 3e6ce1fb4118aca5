/** Texts → token-id tensors: the bridge from a TextCorpus to the training and eval engine. */
import { tf, type Tensor2D } from '../backend/tf';
import type { Dataset } from '../data/dataset';
import { check } from '../util/errors';
import type { TextCorpus } from './corpus';
import { WordPieceTokenizer } from './tokenizer';

/** A dataset of token ids: `inputs` is int32 [texts, maxLength], rows [CLS] ... [SEP] [PAD]... */
export type TextDataset = Dataset<Tensor2D>;

/** Encodes every text of `corpus` with `tokenizer`; labels and class names carry over. */
export function textDataset(corpus: TextCorpus, tokenizer: WordPieceTokenizer): TextDataset {
  check(
    corpus !== null && typeof corpus === 'object' && Array.isArray(corpus.texts),
    'textDataset() needs a text corpus (from loadSpamAssassin, loadTextFolder or loadJsonl).',
    'Pass e.g. textDataset(loadSpamAssassin({ perClass: 200 }), tokenizer).'
  );
  check(
    tokenizer instanceof WordPieceTokenizer,
    'textDataset() needs a tokenizer as its second argument.',
    'Train one on the corpus: trainTokenizer(corpus.texts).'
  );
  check(
    corpus.texts.length > 0,
    `Text corpus '${corpus.name}' is empty.`,
    'Load some texts first; see corpus.report for what was skipped.'
  );
  const ids = tokenizer.encodeAll(corpus.texts);
  return {
    name: corpus.name,
    inputs: tf.tensor2d(ids, [corpus.texts.length, tokenizer.maxLength], 'int32'),
    ...(corpus.labels ? { labels: Int32Array.from(corpus.labels) } : {}),
    ...(corpus.classNames ? { classNames: [...corpus.classNames] } : {})
  };
}
