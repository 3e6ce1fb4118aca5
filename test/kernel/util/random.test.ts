import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deriveSeed, permutation, rng } from '../../../kernel/src/util/random';

test('rng is repeatable per seed and uniform enough', () => {
  const a = rng(42);
  const b = rng(42);
  const xs = Array.from({ length: 10000 }, () => a());
  assert.deepEqual(
    Array.from({ length: 10000 }, () => b()),
    xs
  );
  assert.ok(xs.every(x => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
});

test('permutation is a seeded permutation', () => {
  const p = permutation(100, 3);
  assert.deepEqual(
    [...p].sort((x, y) => x - y),
    Array.from({ length: 100 }, (_, i) => i)
  );
  assert.deepEqual(permutation(100, 3), p);
  assert.notDeepEqual(permutation(100, 4), p);
});

test('deriveSeed gives distinct seeds for nearby (seed, parts) tuples', () => {
  const seen = new Set<number>();
  for (let seed = 0; seed < 8; seed++) {
    for (let epoch = 0; epoch < 8; epoch++) {
      for (let step = 0; step < 16; step++) {
        seen.add(deriveSeed(seed, epoch, step));
      }
      seen.add(deriveSeed(seed, epoch));
    }
  }
  assert.equal(seen.size, 8 * 8 * 17);
  // The symmetric collisions a plain XOR-combine would give.
  assert.notEqual(deriveSeed(1, 1), deriveSeed(2, 2));
  assert.notEqual(deriveSeed(1, 0, 0), deriveSeed(0, 1, 0));
  for (const s of seen) {
    assert.ok(Number.isInteger(s) && s >= 0 && s < 2147483647);
  }
});
