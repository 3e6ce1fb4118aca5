import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromArrays } from '../../../kernel/src/data/arrays';
import { PretextError } from '../../../kernel/src/util/errors';

const is = (pattern: RegExp) => (error: unknown) =>
  error instanceof PretextError && pattern.test(error.message);

test('fromArrays: nested rows or a flat Float32Array with a shape; string labels become classes', () => {
  const data = fromArrays(
    [
      [1, 2],
      [3, 4],
      [5, 6]
    ],
    { labels: ['cat', 'dog', 'cat'] }
  );
  assert.deepEqual(data.inputs.shape, [3, 2]);
  assert.deepEqual(Array.from(data.labels!), [0, 1, 0]);
  assert.deepEqual(data.classNames, ['cat', 'dog']);
  assert.ok(data.report.ok);
  data.inputs.dispose();
  const flat = fromArrays(
    new Float32Array(24).map((_, i) => i),
    { shape: [4, 3, 2], labels: [0, 1, 1, 0] }
  );
  assert.deepEqual(flat.inputs.shape, [4, 3, 2]);
  assert.equal(flat.inputs.dtype, 'float32');
  flat.inputs.dispose();
});

test('fromArrays: ragged rows, non-numbers, NaN/Inf and bad shapes are named', () => {
  assert.throws(
    () => fromArrays([[1, 2], [3], [4, 5, 6]]),
    is(/rows differ in length.*row 1 has 1, row 2 has 3/)
  );
  assert.throws(
    () => fromArrays([[1, '2' as never]]),
    is(/1 value\(s\) are not numbers \(row 0, column 1; the first is "2"\)/)
  );
  assert.throws(
    () =>
      fromArrays([
        [1, NaN],
        [2, 3],
        [Infinity, 4]
      ]),
    is(
      /2 NaN or infinite value\(s\) in 2 row\(s\) \(row 0, column 1; row 2, column 0\)[\s\S]*nonFinite: 'skip'/
    )
  );
  assert.throws(() => fromArrays(new Float32Array(6)), is(/needs a shape/));
  assert.throws(
    () => fromArrays(new Float32Array(6), { shape: [4, 2] }),
    is(/holds 8 values but the array has 6/)
  );
  assert.throws(() => fromArrays([]), is(/non-empty array/));
  assert.throws(() => fromArrays([[1], [2]], { labels: [0] }), is(/1 labels for 2 examples/));
  assert.throws(
    () => fromArrays([[1], [2]], { labels: [0, 0] }),
    is(/every label is the same class/)
  );
  assert.throws(
    () => fromArrays([[1], [2]], { labels: [0, 1.5] }),
    is(/label 1.5 at row 1 is not a class index/)
  );
  assert.throws(() => fromArrays([[1]], { shap: [1, 1] } as never), is(/Unknown option 'shap'/));
});

test("fromArrays with nonFinite: 'skip' drops and reports the bad rows, keeping labels aligned", () => {
  const data = fromArrays(
    [
      [1, 2],
      [NaN, 0],
      [3, 4],
      [5, -Infinity]
    ],
    {
      labels: [0, 1, 1, 0],
      nonFinite: 'skip'
    }
  );
  assert.deepEqual(data.inputs.arraySync(), [
    [1, 2],
    [3, 4]
  ]);
  assert.deepEqual(Array.from(data.labels!), [0, 1]);
  assert.equal(data.report.count('skipped'), 2);
  assert.match(data.report.summary(), /NaN or infinite value \(row 1, row 3\)/);
  data.inputs.dispose();
});
