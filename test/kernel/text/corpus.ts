/** A tiny corpus for tokenizer tests: words repeat, so merges are predictable. */
export const corpus = [
  'The quick brown fox jumps over the lazy dog.',
  'The lazy dog sleeps; the quick fox runs!',
  'Foxes and dogs: quick, lazy, quicker, lazier.',
  'Café owners serve coffee to the dog owners.',
  'Click HERE to claim your FREE prize now!!!',
  'Claim your free prize: click here, now.'
];
