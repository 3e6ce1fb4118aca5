/**
 * A WordPiece tokenizer trained on your own corpus (no pretrained vocabulary is downloaded):
 * lowercase + unicode-aware word splitting, then greedy longest-match-first pieces, as in
 * BERT. Encodes to fixed-length id rows [CLS] ... [SEP] [PAD] ... for the transformer encoder.
 */
import { check, checkOptionNames, PretextError } from '../util/errors';
import { normalizeText, preTokenize } from './normalize';
import { CONTINUATION, learnWordPieces } from './wordpiece-trainer';

/** Special tokens, always at these ids, so models and masking can rely on them. */
export const SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;
export const PAD_ID = 0;
export const UNK_ID = 1;
export const CLS_ID = 2;
export const SEP_ID = 3;
export const MASK_ID = 4;
/** Ids below this are special tokens: never masked, never predicted. */
export const NUM_SPECIAL = SPECIAL_TOKENS.length;

export interface TokenizerOptions {
  /** Length of every encoded row, [CLS] and [SEP] included (default 64). */
  maxLength?: number;
  /** Lowercase and strip accents before splitting (default true). */
  lowercase?: boolean;
  /** Words longer than this many characters become [UNK] (default 100). */
  maxWordChars?: number;
}

export interface TrainTokenizerOptions extends TokenizerOptions {
  /** Vocabulary size including the 5 special tokens (default 4000). */
  vocabSize?: number;
  /** Pieces and merges seen fewer times are not learned (default 2). */
  minFrequency?: number;
}

/** The saved form: enough to rebuild the exact tokenizer. */
export interface TokenizerJSON {
  format: 'pretext-wordpiece';
  version: 1;
  vocab: string[];
  maxLength: number;
  lowercase: boolean;
  maxWordChars: number;
}

const isSize = (n: unknown, min = 1): n is number =>
  typeof n === 'number' && Number.isInteger(n) && n >= min;

export class WordPieceTokenizer {
  readonly vocab: readonly string[];
  readonly maxLength: number;
  readonly lowercase: boolean;
  readonly maxWordChars: number;
  private readonly ids: Map<string, number>;
  /** Word → piece ids; emails repeat words a lot, so this makes encoding several times faster. */
  private readonly cache = new Map<string, number[]>();

  constructor(vocab: readonly string[], options: TokenizerOptions = {}) {
    checkOptionNames('WordPieceTokenizer', options, ['maxLength', 'lowercase', 'maxWordChars']);
    const { maxLength = 64, lowercase = true, maxWordChars = 100 } = options;
    check(
      Array.isArray(vocab) && SPECIAL_TOKENS.every((t, i) => vocab[i] === t),
      `A tokenizer vocabulary must start with ${SPECIAL_TOKENS.join(' ')} at ids 0-${NUM_SPECIAL - 1}.`,
      'Train one with trainTokenizer(texts) or load a saved one with loadTokenizer(path).'
    );
    check(
      new Set(vocab).size === vocab.length && vocab.every(t => typeof t === 'string' && t !== ''),
      'The tokenizer vocabulary has duplicate or empty tokens.',
      'Train a new vocabulary with trainTokenizer(texts).'
    );
    check(
      isSize(maxLength, 3),
      `maxLength must be an integer of at least 3 ([CLS], one token, [SEP]), got ${String(maxLength)}.`,
      'Use e.g. maxLength: 64.'
    );
    check(
      isSize(maxWordChars),
      `maxWordChars must be a positive integer, got ${String(maxWordChars)}.`,
      'Use e.g. maxWordChars: 100.'
    );
    this.vocab = [...vocab];
    this.maxLength = maxLength;
    this.lowercase = lowercase;
    this.maxWordChars = maxWordChars;
    this.ids = new Map(this.vocab.map((t, i) => [t, i]));
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** The id of a token string (pieces inside a word start with '##'), or [UNK]'s id. */
  idOf(token: string): number {
    return this.ids.get(token) ?? UNK_ID;
  }

  tokenOf(id: number): string {
    check(
      Number.isInteger(id) && id >= 0 && id < this.vocab.length,
      `Token id ${id} is outside the vocabulary (0-${this.vocab.length - 1}).`,
      'Decode ids produced by this tokenizer.'
    );
    return this.vocab[id];
  }

  /** The words the text splits into after normalisation: what decode() gives back. */
  words(text: string): string[] {
    return preTokenize(normalizeText(text, { lowercase: this.lowercase }));
  }

  /** Normalised text as the tokenizer sees it: words joined by single spaces. */
  normalize(text: string): string {
    return this.words(text).join(' ');
  }

  private wordIds(word: string): number[] {
    const cached = this.cache.get(word);
    if (cached) {
      return cached;
    }
    const chars = Array.from(word);
    let out: number[] = [UNK_ID];
    if (chars.length <= this.maxWordChars) {
      // Greedy longest match first, as BERT: a word that cannot be covered is one [UNK].
      const pieces: number[] = [];
      let start = 0;
      while (start < chars.length) {
        let end = chars.length;
        let found = -1;
        while (end > start) {
          const piece = (start > 0 ? CONTINUATION : '') + chars.slice(start, end).join('');
          const id = this.ids.get(piece);
          if (id !== undefined) {
            found = id;
            break;
          }
          end--;
        }
        if (found < 0) {
          break;
        }
        pieces.push(found);
        start = end;
      }
      if (start === chars.length) {
        out = pieces;
      }
    }
    if (this.cache.size < 200_000) {
      this.cache.set(word, out);
    }
    return out;
  }

  /** Piece ids of the text, without special tokens, padding or truncation. */
  encodeIds(text: string): number[] {
    check(
      typeof text === 'string',
      `The tokenizer encodes strings, got ${text === null ? 'null' : typeof text}.`,
      'Pass the text itself, e.g. tokenizer.encode(corpus.texts[0]).'
    );
    return this.words(text).flatMap(w => this.wordIds(w));
  }

  /** Piece strings of the text, e.g. ['free', '##bie', '!']. */
  tokenize(text: string): string[] {
    return this.encodeIds(text).map(id => this.vocab[id]);
  }

  /**
   * One fixed-length row: [CLS] first pieces [SEP] then [PAD] up to maxLength; longer texts
   * keep their beginning (an email's subject and first lines carry most of its meaning).
   */
  encode(text: string, maxLength = this.maxLength): Int32Array {
    const row = new Int32Array(maxLength); // zeros are [PAD]
    const ids = this.encodeIds(text).slice(0, maxLength - 2);
    row[0] = CLS_ID;
    row.set(ids, 1);
    row[ids.length + 1] = SEP_ID;
    return row;
  }

  /** Many texts as one flat row-major Int32Array [texts.length * maxLength]. */
  encodeAll(texts: readonly string[], maxLength = this.maxLength): Int32Array {
    const out = new Int32Array(texts.length * maxLength);
    texts.forEach((t, i) => out.set(this.encode(t, maxLength), i * maxLength));
    return out;
  }

  /**
   * Text from ids: pieces joined back into words, words separated by spaces. Special tokens
   * are dropped unless `keepSpecial` (then [MASK] and [UNK] show where they are).
   */
  decode(ids: ArrayLike<number>, options: { keepSpecial?: boolean } = {}): string {
    const out: string[] = [];
    let previousSpecial = false;
    for (const id of Array.from(ids)) {
      const token = this.tokenOf(id);
      if (id < NUM_SPECIAL) {
        if (options.keepSpecial && id !== PAD_ID) {
          out.push(token);
          previousSpecial = true;
        }
        continue;
      }
      // A word piece joins the word before it, unless that was a special token: then it
      // stays visible as '##piece' ([MASK] ##atware, not [MASK]atware).
      if (token.startsWith(CONTINUATION) && out.length > 0 && !previousSpecial) {
        out[out.length - 1] += token.slice(CONTINUATION.length);
      } else {
        out.push(token);
      }
      previousSpecial = false;
    }
    return out.join(' ');
  }

  /** Share of the text's words that encode without [UNK] (a quick vocabulary check). */
  coverage(texts: readonly string[]): number {
    let known = 0;
    let total = 0;
    for (const text of texts) {
      for (const w of this.words(text)) {
        total++;
        if (this.wordIds(w)[0] !== UNK_ID) {
          known++;
        }
      }
    }
    return total === 0 ? 1 : known / total;
  }

  toJSON(): TokenizerJSON {
    return {
      format: 'pretext-wordpiece',
      version: 1,
      vocab: [...this.vocab],
      maxLength: this.maxLength,
      lowercase: this.lowercase,
      maxWordChars: this.maxWordChars
    };
  }

  static fromJSON(json: unknown): WordPieceTokenizer {
    const j = json as Partial<TokenizerJSON> | null;
    if (!j || j.format !== 'pretext-wordpiece' || j.version !== 1 || !Array.isArray(j.vocab)) {
      throw new PretextError(
        'This is not a saved Pretext WordPiece tokenizer (format "pretext-wordpiece", version 1).',
        'Load a file written by saveTokenizer(), or train a new tokenizer with trainTokenizer(texts).'
      );
    }
    return new WordPieceTokenizer(j.vocab, {
      maxLength: j.maxLength,
      lowercase: j.lowercase,
      maxWordChars: j.maxWordChars
    });
  }

  toString(): string {
    return `WordPieceTokenizer(${this.vocabSize} tokens, maxLength ${this.maxLength}${this.lowercase ? ', lowercase' : ''})`;
  }
}

/**
 * Trains a WordPiece vocabulary on `texts` (your unlabeled corpus) and returns the tokenizer.
 * Deterministic: the same texts and options give the same vocabulary.
 */
export function trainTokenizer(
  texts: readonly string[],
  options: TrainTokenizerOptions = {}
): WordPieceTokenizer {
  checkOptionNames('trainTokenizer', options, [
    'vocabSize',
    'minFrequency',
    'maxLength',
    'lowercase',
    'maxWordChars'
  ]);
  const { vocabSize = 4000, minFrequency = 2, lowercase = true, maxWordChars = 100 } = options;
  check(
    Array.isArray(texts) && texts.length > 0 && texts.every(t => typeof t === 'string'),
    'trainTokenizer needs a non-empty list of strings.',
    'Pass the corpus texts, e.g. trainTokenizer(corpus.texts).'
  );
  check(
    isSize(vocabSize, NUM_SPECIAL + 1),
    `vocabSize must be an integer above ${NUM_SPECIAL} (the special tokens), got ${String(vocabSize)}.`,
    'Use e.g. vocabSize: 4000.'
  );
  check(
    isSize(minFrequency),
    `minFrequency must be a positive integer, got ${String(minFrequency)}.`,
    'Use e.g. minFrequency: 2.'
  );
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const w of preTokenize(normalizeText(text, { lowercase }))) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  check(
    counts.size > 0,
    'trainTokenizer: the texts contain no words.',
    'Check that the corpus loaded real text (corpus.texts[0]).'
  );
  const pieces = learnWordPieces(counts, vocabSize - NUM_SPECIAL, { minFrequency, maxWordChars });
  return new WordPieceTokenizer([...SPECIAL_TOKENS, ...pieces], {
    maxLength: options.maxLength,
    lowercase,
    maxWordChars
  });
}
