import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkOptionNames, PretextError } from '../../../kernel/src/util/errors';
import { closestNames, editDistance, suggestName } from '../../../kernel/src/util/names';

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

test('suggestName offers a close known name (case aside) and no wild guesses', () => {
  assert.equal(suggestName('temprature', ['temperature', 'seed']), 'temperature');
  assert.equal(suggestName('queuesize', ['queueSize', 'seed']), 'queueSize');
  assert.equal(suggestName('lr', ['learningRate', 'seed']), undefined);
  assert.equal(suggestName('x', []), undefined);
});

test('checkOptionNames names the unknown option and suggests the closest known one', () => {
  assert.throws(
    () => checkOptionNames('loadMnist', { perClas: 5 }, ['perClass', 'seed']),
    (error: unknown) =>
      error instanceof PretextError &&
      error.problem === "Unknown option 'perClas' for loadMnist." &&
      error.fix === "Did you mean 'perClass'? Use one of: perClass, seed."
  );
  assert.throws(
    () => checkOptionNames('loadMnist', { colour: true }, ['perClass', 'seed']),
    (error: unknown) => error instanceof PretextError && error.fix === 'Use one of: perClass, seed.'
  );
});
