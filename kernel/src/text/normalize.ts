/**
 * Text normalisation and pre-tokenisation shared by the tokenizer's trainer and encoder, so
 * a word is split the same way when the vocabulary is learned and when text is encoded.
 */

/** Unicode combining marks (accents once NFD has separated them from their letters). */
const COMBINING = /\p{M}/gu;
/** Control and format characters (zero-width spaces, BOMs, NULs) and U+FFFD, the mark of bytes
 * that could not be decoded, carry no meaning here. */
const INVISIBLE = /[\p{Cc}\p{Cf}\ufffd]/gu;
/** One word: a run of letters and digits in any script; or one punctuation/symbol character. */
const PIECE = /[\p{L}\p{N}]+|[\p{P}\p{S}]/gu;

export interface NormalizeOptions {
  /** Lowercase (default true): an uncased vocabulary is half the size for the same coverage. */
  lowercase?: boolean;
  /** Remove accents (default true with lowercase): "café" and "cafe" share one token. */
  stripAccents?: boolean;
}

/** NFKC-folds, optionally lowercases and strips accents, and drops invisible characters. */
export function normalizeText(text: string, options: NormalizeOptions = {}): string {
  const { lowercase = true, stripAccents = lowercase } = options;
  let out = text.normalize('NFKC').replace(INVISIBLE, ' ');
  if (lowercase) {
    out = out.toLowerCase();
  }
  if (stripAccents) {
    out = out.normalize('NFD').replace(COMBINING, '').normalize('NFC');
  }
  return out;
}

/**
 * Splits normalised text into words: letter/digit runs (unicode-aware, so "naïve", "東京" and
 * "2002" are words) and single punctuation or symbol characters ("$", "!", "@"). Whitespace
 * separates words and is dropped.
 */
export function preTokenize(normalized: string): string[] {
  return normalized.match(PIECE) ?? [];
}
