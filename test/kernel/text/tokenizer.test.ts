import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeText, preTokenize } from '../../../kernel/src/text/normalize';
import {
  CLS_ID,
  MASK_ID,
  PAD_ID,
  SEP_ID,
  SPECIAL_TOKENS,
  UNK_ID,
  WordPieceTokenizer,
  trainTokenizer
} from '../../../kernel/src/text/tokenizer';
import { learnWordPieces } from '../../../kernel/src/text/wordpiece-trainer';
import { PretextError } from '../../../kernel/src/util/errors';
import { corpus } from './corpus';

test('normalizeText lowercases, strips accents and invisible characters; preTokenize splits words and punctuation', () => {
  assert.equal(normalizeText('Café\u200bNAÏVE\ufffd'), 'cafe naive ');
  assert.equal(normalizeText('Café', { lowercase: false }), 'Café');
  assert.deepEqual(preTokenize('hello, wörld! 東京 $5.99'), [
    'hello',
    ',',
    'wörld',
    '!',
    '東京',
    '$',
    '5',
    '.',
    '99'
  ]);
  assert.deepEqual(preTokenize('   '), []);
});

test('learnWordPieces starts from the alphabet and merges the most frequent pairs first', () => {
  const pieces = learnWordPieces(
    new Map([
      ['abab', 5],
      ['ab', 3]
    ]),
    10,
    { minFrequency: 1 }
  );
  // Alphabet: 'a' (word-initial), '##b', '##a'. Most frequent pair: a + ##b → 'ab'.
  assert.deepEqual(pieces.slice(0, 3).sort(), ['##a', '##b', 'a'].sort());
  assert.equal(pieces[3], 'ab');
  assert.ok(pieces.includes('abab'), pieces.join(' '));
  // Nothing to merge beyond whole words: the vocabulary stops short of the budget.
  assert.ok(pieces.length < 10);
});

test('trainTokenizer is deterministic and keeps the special tokens at fixed ids', () => {
  const a = trainTokenizer(corpus, { vocabSize: 80, minFrequency: 1, maxLength: 16 });
  const b = trainTokenizer([...corpus], { vocabSize: 80, minFrequency: 1, maxLength: 16 });
  assert.deepEqual(a.vocab, b.vocab);
  assert.ok(a.vocabSize <= 80);
  assert.deepEqual(a.vocab.slice(0, 5), [...SPECIAL_TOKENS]);
  assert.deepEqual(
    ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map(t => a.idOf(t)),
    [PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID]
  );
});

test('encode → decode recovers the normalised text for in-vocabulary words', () => {
  const tok = trainTokenizer(corpus, { vocabSize: 200, minFrequency: 1, maxLength: 32 });
  for (const text of corpus) {
    const row = tok.encode(text);
    assert.equal(row.length, 32);
    assert.equal(row[0], CLS_ID);
    assert.equal(tok.decode(row), tok.normalize(text), text);
  }
  assert.equal(tok.normalize('Café owners!'), 'cafe owners !');
  // A word built from known pieces but never seen whole still round-trips via '##' pieces.
  assert.equal(tok.decode(tok.encode('lazier foxes')), 'lazier foxes');
});

test('encode pads and truncates to maxLength with [CLS] ... [SEP]', () => {
  const tok = trainTokenizer(corpus, { vocabSize: 200, minFrequency: 1, maxLength: 8 });
  const short = tok.encode('the dog');
  assert.deepEqual(Array.from(short), [
    CLS_ID,
    tok.idOf('the'),
    tok.idOf('dog'),
    SEP_ID,
    0,
    0,
    0,
    0
  ]);
  const long = tok.encode(corpus[0]);
  assert.equal(long[7], SEP_ID);
  assert.ok(long.every(id => id !== PAD_ID));
  assert.equal(tok.decode(long), 'the quick brown fox jumps over');
  const flat = tok.encodeAll(['the dog', corpus[0]]);
  assert.deepEqual(Array.from(flat.subarray(0, 8)), Array.from(short));
  assert.deepEqual(Array.from(tok.encode('the dog', 5)), [
    CLS_ID,
    tok.idOf('the'),
    tok.idOf('dog'),
    SEP_ID,
    0
  ]);
});

test('unknown characters and overlong words become [UNK]; specials decode only on request', () => {
  const tok = trainTokenizer(corpus, { vocabSize: 200, minFrequency: 1, maxWordChars: 12 });
  assert.deepEqual(tok.encodeIds('the ✈ dog'), [tok.idOf('the'), tok.idOf('✈'), tok.idOf('dog')]);
  assert.equal(tok.idOf('✈'), UNK_ID);
  assert.deepEqual(tok.encodeIds('zzzz'), [UNK_ID], 'z never appears in the corpus');
  assert.deepEqual(tok.encodeIds('thethethethethe'), [UNK_ID], 'longer than maxWordChars');
  assert.equal(tok.decode([CLS_ID, tok.idOf('dog'), MASK_ID, UNK_ID, SEP_ID, PAD_ID]), 'dog');
  assert.equal(
    tok.decode([CLS_ID, tok.idOf('dog'), MASK_ID, SEP_ID, PAD_ID], { keepSpecial: true }),
    '[CLS] dog [MASK] [SEP]'
  );
  assert.ok(tok.coverage(corpus) === 1);
  assert.ok(tok.coverage(['zzzz the']) === 0.5);
});

test('bad tokenizer input gets a PretextError naming the fix', () => {
  assert.throws(() => trainTokenizer([]), PretextError);
  assert.throws(() => trainTokenizer(['   ', '\u200b\n']), /no words/);
  assert.throws(() => trainTokenizer(corpus, { vocabSize: 5 }), /vocabSize/);
  assert.throws(
    () => trainTokenizer(corpus, { vocabsize: 50 } as never),
    /Unknown option 'vocabsize'/
  );
  assert.throws(() => new WordPieceTokenizer(['a', 'b']), /must start with \[PAD\]/);
  assert.throws(
    () => new WordPieceTokenizer([...SPECIAL_TOKENS, 'x'], { maxLength: 2 }),
    /maxLength/
  );
  const tok = trainTokenizer(corpus, { vocabSize: 60, minFrequency: 1 });
  assert.throws(() => tok.encode(42 as never), /encodes strings/);
  assert.throws(() => tok.decode([9999]), /outside the vocabulary/);
});

test('decode keeps a word piece visible after a special token', () => {
  const tok = trainTokenizer(corpus, { vocabSize: 60, minFrequency: 1 });
  const pieces = tok.encodeIds('lazier');
  assert.ok(pieces.length >= 2, tok.tokenize('lazier').join(' '));
  const masked = [MASK_ID, ...pieces.slice(1)];
  const shown = tok.decode(masked, { keepSpecial: true });
  assert.ok(shown.startsWith('[MASK] ##'), shown);
  assert.equal(tok.decode([tok.idOf('the'), ...pieces]), 'the lazier');
});
