import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkedBy,
  inputIs,
  optionsObject,
  parseOptions,
  says,
  z
} from '../../../kernel/src/options/schema';
import { positiveInteger } from '../../../kernel/src/options/fields';
import { PretextError } from '../../../kernel/src/util/errors';

const shape = {
  batchSize: positiveInteger('batchSize', 'Pass e.g. { batchSize: 256 }.').default(256),
  name: z
    .string(says(v => `name must be a string, got ${String(v)}.`, "Pass e.g. { name: 'a' }."))
    .optional()
};
const schema = optionsObject('demo()', shape, {
  problem: v => `demo() options must be an object, got ${String(v)}.`,
  fix: 'Pass e.g. { batchSize: 8 }.'
});

function failure(value: unknown): PretextError {
  try {
    parseOptions(schema, value);
  } catch (error) {
    assert.ok(error instanceof PretextError, String(error));
    return error;
  }
  assert.fail(`${JSON.stringify(value)} was accepted`);
}

test('a failed parse is a PretextError with the schema’s own problem and fix', () => {
  const error = failure({ batchSize: 0 });
  assert.equal(error.problem, 'batchSize must be a positive integer, got 0.');
  assert.equal(error.fix, 'Pass e.g. { batchSize: 256 }.');
  assert.equal(error.message, `${error.problem}\nFix: ${error.fix}`);
  // Every way the field can fail reads the same: wrong type, not an integer, out of range.
  assert.equal(failure({ batchSize: 'x' }).problem, 'batchSize must be a positive integer, got x.');
  assert.equal(
    failure({ batchSize: 2.5 }).problem,
    'batchSize must be a positive integer, got 2.5.'
  );
  assert.equal(failure(7).problem, 'demo() options must be an object, got 7.');
});

test('unknown names are refused first, with the closest known name when one is close', () => {
  const typo = failure({ batchsize: 8, name: 3 });
  assert.equal(typo.problem, "Unknown option 'batchsize' for demo().");
  assert.equal(typo.fix, "Did you mean 'batchSize'? Use one of: batchSize, name.");
  const far = failure({ lr: 0.1 });
  assert.equal(far.fix, 'Use one of: batchSize, name.', 'no guess for a name nothing resembles');
});

test('defaults fill what is left out; undefined counts as left out', () => {
  assert.deepEqual(parseOptions(schema, {}), { batchSize: 256 });
  const parsed = parseOptions(schema, { batchSize: 4, name: undefined });
  assert.deepEqual(parsed, { batchSize: 4 });
  assert.ok(!('name' in parsed), 'an undefined option is absent, not a key holding undefined');
});

test('checkedBy reuses a validator that throws PretextErrors and keeps the value itself', () => {
  class Counter {
    count = 0;
    bump() {
      this.count++;
    }
  }
  const counterSchema = optionsObject(
    'counted()',
    {
      counter: checkedBy<Counter>(value => {
        if (!(value instanceof Counter)) {
          throw new PretextError('counter is no Counter.', 'Pass new Counter().');
        }
      })
    },
    { problem: 'counted() needs an object.', fix: 'Pass { counter }.' }
  );
  const counter = new Counter();
  const parsed = parseOptions(counterSchema, { counter });
  assert.equal(parsed.counter, counter, 'the same instance, with its prototype');
  parsed.counter.bump();
  assert.equal(counter.count, 1);
  assert.throws(
    () => parseOptions(counterSchema, { counter: {} }),
    (error: unknown) =>
      error instanceof PretextError &&
      error.problem === 'counter is no Counter.' &&
      error.fix === 'Pass new Counter().'
  );
  // Errors that are not the user's (bugs in a validator) are not turned into messages.
  const buggy = checkedBy<number>(() => {
    throw new TypeError('bug');
  });
  assert.throws(() => parseOptions(buggy, 1), TypeError);
});

test('inputIs ties a schema to its interface at compile time', () => {
  interface DemoOptions {
    batchSize?: number;
    name?: string;
  }
  assert.equal(inputIs<DemoOptions>()(schema), schema);
  // @ts-expect-error: the schema takes a number for name, the interface a string.
  inputIs<{ batchSize?: number; name?: number }>()(schema);
  // @ts-expect-error: an interface field the schema does not know.
  inputIs<DemoOptions & { seed?: number }>()(schema);
});
