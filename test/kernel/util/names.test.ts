import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestNames, editDistance } from '../../../kernel/src/util/names';

test('editDistance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('simclr', 'simclr'), 0);
  assert.equal(editDistance('simclear', 'simclr'), 2);
  assert.equal(editDistance('', 'byol'), 4);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('closestNames returns the nearest candidates first', () => {
  assert.deepEqual(closestNames('byl', ['simclr', 'byol', 'vicreg']), ['byol']);
  // vicre -> vicreg 1 edit, simclr 4, byol 5.
  assert.deepEqual(closestNames('vicre', ['simclr', 'byol', 'vicreg'], 2), ['vicreg', 'simclr']);
  assert.deepEqual(closestNames('x', []), []);
});
