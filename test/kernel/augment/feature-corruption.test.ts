import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor2D } from '../../../kernel/src/backend/tf';
import { featureCorruption } from '../../../kernel/src/augment/feature-corruption';
import { PretextError } from '../../../kernel/src/util/errors';

/** Row i, column j holds 1000 * j + i: every value names its column and row. */
function tagged(n: number, f: number): Tensor2D {
  const values = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      values[i * f + j] = 1000 * j + i;
    }
  }
  return tf.tensor2d(values, [n, f]);
}

test('SCARF corruption: exactly the rate per row, values from the same column of another row', () => {
  const n = 64;
  const f = 10;
  const rows = tagged(n, f);
  const corrupt = featureCorruption({ rate: 0.6 });
  const { corrupted, mask } = corrupt(rows, 7);
  const x = corrupted.arraySync();
  const m = mask.arraySync();
  for (let i = 0; i < n; i++) {
    assert.equal(
      m[i].reduce((a, b) => a + b, 0),
      6,
      `row ${i}: round(0.6 x 10) features corrupted`
    );
    for (let j = 0; j < f; j++) {
      const column = Math.floor(x[i][j] / 1000);
      const donor = x[i][j] % 1000;
      assert.equal(column, j, 'a replacement comes from the same column');
      if (m[i][j] === 1) {
        assert.notEqual(donor, i, 'replaced by ANOTHER row');
      } else {
        assert.equal(donor, i, 'kept features are untouched');
      }
    }
  }
  // Donors spread over the batch rather than one fixed neighbour.
  const donors = new Set(x.flatMap((r, i) => r.filter((_, j) => m[i][j] === 1).map(v => v % 1000)));
  assert.ok(donors.size > n / 2, `${donors.size} distinct donor rows`);
  tf.dispose([rows, corrupted, mask]);
});

test('VIME corruption: Bernoulli rate within tolerance; the same seed repeats, another differs', () => {
  const rows = tagged(400, 20);
  const corrupt = featureCorruption({ rate: 0.3, mode: 'bernoulli' });
  const a = corrupt(rows, 1);
  const b = corrupt(rows, 1);
  const c = corrupt(rows, 2);
  const share = a.mask.mean().dataSync()[0];
  // 8000 coin flips: the standard error is 0.005.
  assert.ok(Math.abs(share - 0.3) < 0.02, `corrupted share ${share}`);
  const perRow = a.mask.sum(1).dataSync();
  assert.ok(new Set(perRow).size > 3, 'the count varies per row in Bernoulli mode');
  assert.deepEqual(a.corrupted.dataSync(), b.corrupted.dataSync());
  assert.deepEqual(a.mask.dataSync(), b.mask.dataSync());
  assert.notDeepEqual(a.mask.dataSync(), c.mask.dataSync());
  tf.dispose([rows, a.corrupted, a.mask, b.corrupted, b.mask, c.corrupted, c.mask]);
});

test('groups: a one-hot block is swapped whole, from one donor row, and stays one-hot', () => {
  // Features: number | 3-way one-hot | number with its missing flag.
  const groups = [0, 1, 1, 1, 2, 2];
  const n = 50;
  const values: number[][] = [];
  for (let i = 0; i < n; i++) {
    const hot = [0, 0, 0];
    hot[i % 3] = 1;
    values.push([i, ...hot, 100 + i, i % 2]);
  }
  const rows = tf.tensor2d(values);
  const corrupt = featureCorruption({ rate: 0.5, groups });
  const { corrupted, mask } = corrupt(rows, 3);
  const x = corrupted.arraySync();
  const m = mask.arraySync();
  for (let i = 0; i < n; i++) {
    assert.equal(m[i][1], m[i][2]);
    assert.equal(m[i][2], m[i][3]);
    assert.equal(m[i][4], m[i][5]);
    // Exactly round(0.5 x 3 groups) = 2 groups per row.
    assert.equal(m[i][0] + m[i][1] + m[i][4], 2);
    assert.equal(x[i][1] + x[i][2] + x[i][3], 1, 'still one category');
    // Value and flag come from the same donor row.
    assert.equal(x[i][5], (x[i][4] - 100) % 2);
  }
  tf.dispose([rows, corrupted, mask]);
});

test('a bank of training rows is the source when given; no tensors leak', () => {
  const rows = tagged(8, 4);
  const bank = tf.fill([30, 4], -5) as Tensor2D;
  const corrupt = featureCorruption({ rate: 0.5, bank });
  const before = tf.memory().numTensors;
  const { corrupted, mask } = corrupt(rows, 11);
  assert.equal(tf.memory().numTensors, before + 2);
  const x = corrupted.dataSync();
  const m = mask.dataSync();
  m.forEach((hidden, k) => assert.equal(x[k] === -5, hidden === 1));
  tf.dispose([rows, bank, corrupted, mask]);
});

test('bad options and inputs name the problem', () => {
  const is = (pattern: RegExp) => (error: unknown) =>
    error instanceof PretextError && pattern.test(error.message);
  assert.throws(() => featureCorruption({ rate: 1 }), is(/rate must be between 0 and 1/));
  assert.throws(() => featureCorruption({ rate: 0.5, mode: 'all' as never }), is(/mode must be/));
  assert.throws(() => featureCorruption({ groups: [0, 2] }), is(/skip group number\(s\) 1/));
  assert.throws(() => featureCorruption({ rat: 0.5 } as never), is(/Unknown option 'rat'/));
  const one = tf.ones([1, 3]) as Tensor2D;
  assert.throws(() => featureCorruption()(one, 0), is(/batch has 1 row/));
  const wide = tf.ones([4, 5]) as Tensor2D;
  assert.throws(
    () => featureCorruption({ groups: [0, 1, 2] })(wide, 0),
    is(/3 entries but the rows have 5/)
  );
  tf.dispose([one, wide]);
});
