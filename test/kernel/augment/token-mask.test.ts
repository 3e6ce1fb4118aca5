import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../../../kernel/src/backend/tf';
import { maskTokenIds, tokenMask } from '../../../kernel/src/augment/token-mask';
import { CLS_ID, MASK_ID, NUM_SPECIAL, PAD_ID, SEP_ID } from '../../../kernel/src/text/tokenizer';
import { rng } from '../../../kernel/src/util/random';

const VOCAB = 1000;
const ROWS = 400;
const LENGTH = 64;

/** Rows of [CLS] tokens... [SEP] [PAD]..., with random real lengths. */
function batch(seed: number): Int32Array {
  const random = rng(seed);
  const ids = new Int32Array(ROWS * LENGTH);
  for (let r = 0; r < ROWS; r++) {
    const real = 1 + Math.floor(random() * (LENGTH - 2));
    ids[r * LENGTH] = CLS_ID;
    for (let i = 1; i <= real; i++) {
      ids[r * LENGTH + i] = NUM_SPECIAL + Math.floor(random() * (VOCAB - NUM_SPECIAL));
    }
    ids[r * LENGTH + real + 1] = SEP_ID;
  }
  return ids;
}

test('BERT rates: 15% of real tokens chosen; of those 80% [MASK], 10% random, 10% unchanged', () => {
  const ids = batch(1);
  const { ids: out, weights, positions } = maskTokenIds(ids, { vocabSize: VOCAB, seed: 7 });
  let eligible = 0;
  let masked = 0;
  let replaced = 0;
  let kept = 0;
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] >= NUM_SPECIAL) {
      eligible++;
    }
    if (weights[i] === 0) {
      assert.equal(out[i], ids[i], 'unchosen positions are untouched');
      continue;
    }
    if (out[i] === MASK_ID) {
      masked++;
    } else if (out[i] === ids[i]) {
      kept++;
    } else {
      replaced++;
      assert.ok(out[i] >= NUM_SPECIAL && out[i] < VOCAB, 'random replacements are real tokens');
    }
  }
  const chosen = masked + replaced + kept;
  assert.equal(chosen, positions.length);
  assert.ok(eligible > 10_000, `enough tokens for the statistics: ${eligible}`);
  // Binomial standard errors: ~0.3% for the 15%, ~1% for the 80/10/10 split at ~1,900 chosen.
  assert.ok(Math.abs(chosen / eligible - 0.15) < 0.012, `chosen ${chosen / eligible}`);
  assert.ok(Math.abs(masked / chosen - 0.8) < 0.03, `[MASK] ${masked / chosen}`);
  // A random replacement can draw the original id (1 in 995): it then counts as kept.
  assert.ok(Math.abs(replaced / chosen - 0.1) < 0.025, `random ${replaced / chosen}`);
  assert.ok(Math.abs(kept / chosen - 0.1) < 0.025, `kept ${kept / chosen}`);
});

test('padding and special tokens are never chosen', () => {
  const ids = batch(2);
  const { weights } = maskTokenIds(ids, { vocabSize: VOCAB, maskRate: 0.9, seed: 3 });
  for (let i = 0; i < ids.length; i++) {
    if (ids[i] === PAD_ID || ids[i] < NUM_SPECIAL) {
      assert.equal(weights[i], 0, `position ${i}`);
    }
  }
  const all = maskTokenIds(Int32Array.from([CLS_ID, SEP_ID, PAD_ID, PAD_ID]), {
    vocabSize: VOCAB,
    maskRate: 1
  });
  assert.equal(all.positions.length, 0);
});

test('masking repeats exactly with the same seed and differs with another', () => {
  const ids = batch(3);
  const a = maskTokenIds(ids, { vocabSize: VOCAB, seed: 11 });
  const b = maskTokenIds(ids, { vocabSize: VOCAB, seed: 11 });
  const c = maskTokenIds(ids, { vocabSize: VOCAB, seed: 12 });
  assert.deepEqual(a.ids, b.ids);
  assert.deepEqual(a.weights, b.weights);
  assert.notDeepEqual(a.weights, c.weights);
});

test('tokenMask on tensors returns int32 ids and float weights of the same shape', () => {
  const ids = tf.tensor2d(batch(4).subarray(0, 8 * LENGTH), [8, LENGTH], 'int32');
  const before = tf.memory().numTensors;
  const out = tokenMask(ids, { vocabSize: VOCAB, seed: 5 });
  assert.equal(tf.memory().numTensors, before + 2);
  assert.deepEqual(out.ids.shape, [8, LENGTH]);
  assert.equal(out.ids.dtype, 'int32');
  assert.equal(out.weights.dtype, 'float32');
  const plain = maskTokenIds(ids.dataSync(), { vocabSize: VOCAB, seed: 5 });
  assert.deepEqual(out.ids.dataSync(), plain.ids);
  tf.dispose([ids, out.ids, out.weights]);
});

test('bad masking options and inputs are rejected with a fix', () => {
  const ids = Int32Array.from([CLS_ID, 10, 11, SEP_ID]);
  assert.throws(() => maskTokenIds(ids, { vocabSize: 3 }), /vocabSize/);
  assert.throws(() => maskTokenIds(ids, { vocabSize: 50, maskRate: 1.5 }), /maskRate/);
  assert.throws(
    () => maskTokenIds(ids, { vocabSize: 50, maskTokenRate: 0.8, randomTokenRate: 0.5 }),
    /more than 1/
  );
  assert.throws(
    () => maskTokenIds(Int32Array.from([2, 99]), { vocabSize: 50 }),
    /outside the vocabulary/
  );
  assert.throws(
    () => maskTokenIds(ids, { vocabSize: 50, rate: 0.1 } as never),
    /Unknown option 'rate'/
  );
  const floats = tf.ones([2, 4]);
  assert.throws(() => tokenMask(floats, { vocabSize: 50 }), /int32 token ids/);
  floats.dispose();
});
