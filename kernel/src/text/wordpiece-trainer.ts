/**
 * Learns a WordPiece vocabulary from a corpus, the way BERT-style tokenizers are trained
 * (and as Hugging Face's WordPieceTrainer does it): start from single characters, where a
 * character inside a word carries the continuation prefix '##', and repeatedly merge the most
 * frequent adjacent pair of pieces until the vocabulary is full. Pure TypeScript, offline and
 * deterministic: ties between equally frequent pairs go to the pair of earlier-created pieces.
 */

export const CONTINUATION = '##';

export interface WordPieceTrainOptions {
  /** Size of the final vocabulary, special tokens included. */
  vocabSize: number;
  /** Pieces and merges seen fewer times than this are not learned (default 2). */
  minFrequency?: number;
  /** Words longer than this (in characters) are not learned from (default 100). */
  maxWordChars?: number;
}

/** Bits reserved for the right-hand symbol id in a pair key (ids stay far below 2^21). */
const PAIR_SHIFT = 2 ** 21;

/**
 * The learned pieces (without the special tokens), most basic first: the alphabet in
 * frequency order, then merged pieces in the order they were learned. `budget` is the number
 * of pieces wanted (vocabSize minus the special tokens).
 */
export function learnWordPieces(
  wordCounts: ReadonlyMap<string, number>,
  budget: number,
  options: Omit<WordPieceTrainOptions, 'vocabSize'> = {}
): string[] {
  const { minFrequency = 2, maxWordChars = 100 } = options;
  // Words as arrays of characters (code points, so emoji and astral scripts stay whole).
  const words: string[][] = [];
  const counts: number[] = [];
  const charCounts = new Map<string, number>();
  // Visit words in a fixed order so the result never depends on Map insertion history.
  const sorted = [...wordCounts.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [word, count] of sorted) {
    const chars = Array.from(word);
    if (chars.length === 0 || chars.length > maxWordChars) {
      continue;
    }
    chars.forEach((c, i) => {
      const piece = i === 0 ? c : CONTINUATION + c;
      charCounts.set(piece, (charCounts.get(piece) ?? 0) + count);
    });
    words.push(chars);
    counts.push(count);
  }
  // The alphabet: every piece seen often enough, most frequent first, capped by the budget.
  const alphabet = [...charCounts.entries()]
    .filter(([, n]) => n >= minFrequency)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, budget)
    .map(([piece]) => piece);
  const pieces: string[] = [...alphabet];
  const idOf = new Map<string, number>(pieces.map((p, i) => [p, i]));

  // Each word as a list of piece ids; words with a character outside the alphabet cannot be
  // built from pieces and are left out of merge learning (they encode as [UNK] anyway).
  const symbols: number[][] = [];
  const weights: number[] = [];
  words.forEach((chars, w) => {
    const ids = chars.map((c, i) => idOf.get(i === 0 ? c : CONTINUATION + c));
    if (ids.every(id => id !== undefined) && ids.length > 1) {
      symbols.push(ids as number[]);
      weights.push(counts[w]);
    }
  });

  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: 1 | -1) => {
    const ids = symbols[w];
    for (let i = 0; i + 1 < ids.length; i++) {
      const key = ids[i] * PAIR_SHIFT + ids[i + 1];
      const next = (pairCount.get(key) ?? 0) + sign * weights[w];
      if (next === 0) {
        pairCount.delete(key);
      } else {
        pairCount.set(key, next);
      }
      if (sign === 1) {
        let set = pairWords.get(key);
        if (!set) {
          pairWords.set(key, (set = new Set()));
        }
        set.add(w);
      }
    }
  };
  for (let w = 0; w < symbols.length; w++) {
    addPairs(w, 1);
  }

  while (pieces.length < budget) {
    let bestKey = -1;
    let bestCount = 0;
    for (const [key, count] of pairCount) {
      if (count > bestCount || (count === bestCount && key < bestKey)) {
        bestKey = key;
        bestCount = count;
      }
    }
    if (bestKey < 0 || bestCount < minFrequency) {
      break;
    }
    const left = Math.floor(bestKey / PAIR_SHIFT);
    const right = bestKey % PAIR_SHIFT;
    const merged = pieces[left] + pieces[right].slice(CONTINUATION.length);
    let mergedId = idOf.get(merged);
    if (mergedId === undefined) {
      mergedId = pieces.length;
      pieces.push(merged);
      idOf.set(merged, mergedId);
    }
    // Only words containing the pair change; their old pairs go, their new pairs come.
    for (const w of pairWords.get(bestKey) ?? []) {
      const ids = symbols[w];
      let has = false;
      for (let i = 0; i + 1 < ids.length && !has; i++) {
        has = ids[i] === left && ids[i + 1] === right;
      }
      if (!has) {
        continue;
      } // a stale entry: an earlier merge already consumed the pair here
      addPairs(w, -1);
      const out: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (i + 1 < ids.length && ids[i] === left && ids[i + 1] === right) {
          out.push(mergedId);
          i++;
        } else {
          out.push(ids[i]);
        }
      }
      symbols[w] = out;
      addPairs(w, 1);
    }
    pairWords.delete(bestKey);
    pairCount.delete(bestKey);
  }
  return pieces;
}
