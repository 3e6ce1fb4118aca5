import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { injectParams, params, resetParams } from '../../../kernel/src/util/params';

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

test('PRETEXT_PARAMS values must have the default kind', () => {
  process.env.PRETEXT_PARAMS = '{"epochs": "3"}';
  assert.throws(() => params(sizes), /sets 'epochs' to "3" \(string\)[\s\S]*Fix: Pass a number/);
});

test("papermill's injected cell updates the object px.params returned", () => {
  resetParams();
  const P = params({
    small: { t: 0.2, tags: ['a'], note: null as unknown },
    full: { t: 1, tags: [], note: null }
  });
  const shown = injectParams({ t: 0.1, tags: ['b', 'c'], note: { any: 'thing' } });
  assert.deepEqual(P, { t: 0.1, tags: ['b', 'c'], note: { any: 'thing' }, full: false });
  assert.deepEqual(shown, P);
  assert.throws(() => injectParams({ tt: 1 }), /sets 'tt'[\s\S]*Did you mean 't'\?/);
  assert.throws(() => injectParams({ t: 'warm' }), /'t' to "warm" \(string\)/);
  assert.throws(() => injectParams([1] as unknown as Record<string, unknown>), /must be an object/);
});

test('values injected before px.params apply to its first call', () => {
  resetParams();
  injectParams({ epochs: 7 });
  assert.deepEqual(params(sizes), { epochs: 7, batchSize: 64, full: false });
  resetParams();
  injectParams({ epoch: 7 });
  assert.throws(() => params(sizes), /sets 'epoch'[\s\S]*Did you mean 'epochs'/);
});
