import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { params } from '../../../kernel/src/util/params';

const sizes = { small: { epochs: 2, batchSize: 64 }, full: { epochs: 15, batchSize: 256 } };

afterEach(() => {
  delete process.env.PRETEXT_FULL;
  delete process.env.PRETEXT_PARAMS;
});

test('small by default, full with PRETEXT_FULL=1', () => {
  assert.deepEqual(params(sizes), { epochs: 2, batchSize: 64, full: false });
  process.env.PRETEXT_FULL = '1';
  assert.deepEqual(params(sizes), { epochs: 15, batchSize: 256, full: true });
});

test('PRETEXT_PARAMS overrides single values for headless sweeps', () => {
  process.env.PRETEXT_PARAMS = '{"epochs": 3}';
  assert.deepEqual(params(sizes), { epochs: 3, batchSize: 64, full: false });
});

test('bad PRETEXT_PARAMS names the problem and the fix', () => {
  process.env.PRETEXT_PARAMS = '{epochs: 3}';
  assert.throws(
    () => params(sizes),
    /PRETEXT_PARAMS is not valid JSON[\s\S]*Fix: Set it to a JSON object/
  );
  process.env.PRETEXT_PARAMS = '[1]';
  assert.throws(() => params(sizes), /must be a JSON object/);
  process.env.PRETEXT_PARAMS = '{"epoch": 3}';
  assert.throws(
    () => params(sizes),
    /sets 'epoch', which this notebook does not use[\s\S]*epochs, batchSize/
  );
});
