/**
 * Fault cases: hand-built datasets and results that would lie. Each bad input must be refused
 * on entry with a PretextError naming the problem and the fix, and leave the run store as it
 * was. (The same mistakes through fromArrays give the same messages.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor, type Tensor4D } from '../../kernel/src/backend/tf';
import { fromArrays } from '../../kernel/src/data/arrays';
import { splitForSsl, type Dataset } from '../../kernel/src/data/dataset';
import { datasetSource } from '../../kernel/src/data/source';
import { evaluate } from '../../kernel/src/eval/evaluate';
import { knnMonitor } from '../../kernel/src/eval/monitors';
import { train } from '../../kernel/src/train/train';
import { fakeTask } from '../kernel/train/fake-task';
import { expectClearError } from './expect';

const store = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-faults-data-'));
after(() => fs.rmSync(store, { recursive: true, force: true }));

const inputs = (n: number): Tensor4D => tf.randomUniform([n, 4, 4, 1], 0, 1, 'float32', 1);
const hand = (labels: unknown, extra: Partial<Dataset> = {}): Dataset =>
  ({ name: 'hand-built', inputs: inputs(8), labels, ...extra }) as Dataset;
const unchanged = [store];

test('splitForSsl: fewer labels than examples (was: examples dropped in silence)', async () => {
  await expectClearError(() => splitForSsl(hand(Int32Array.of(0, 1, 0, 1, 0, 1))), {
    problem: /splitForSsl: hand-built: 6 labels for 8 examples/,
    fix: /one label per example/,
    unchanged
  });
});

test('splitForSsl: the same mistake reads the same as from fromArrays', async () => {
  const viaArrays = await expectClearError(() => fromArrays([[1], [2]], { labels: [0] }), {
    problem: /1 labels for 2 examples/,
    fix: /one label per example/
  });
  const viaSplit = await expectClearError(
    () => splitForSsl({ name: 'arrays', inputs: tf.zeros([2, 1]), labels: Int32Array.of(0) }),
    { problem: /1 labels for 2 examples/, fix: /one label per example/ }
  );
  assert.ok(
    viaSplit.problem.endsWith(viaArrays.problem),
    `${viaSplit.problem} / ${viaArrays.problem}`
  );
  assert.equal(viaSplit.fix, viaArrays.fix);
});

test('splitForSsl: a negative label (was: Cannot read properties of undefined)', async () => {
  await expectClearError(() => splitForSsl(hand([0, 1, 0, -1, 0, 1, 0, 1])), {
    problem: /label -1 at row 3 is not a class index/,
    fix: /integer classes 0, 1, 2/,
    unchanged
  });
});

test('splitForSsl: string labels in a hand-built dataset', async () => {
  await expectClearError(
    () => splitForSsl(hand(['cat', 'dog', 'cat', 'dog', 'cat', 'dog', 'cat', 'dog'])),
    {
      problem: /label the string "cat" at row 0 is a class name, not a class index/,
      fix: /fromArrays\(values, \{ labels: names \}\)/,
      unchanged
    }
  );
});

test('splitForSsl: fractional labels', async () => {
  await expectClearError(() => splitForSsl(hand(Float32Array.of(0, 1, 0, 1.5, 0, 1, 0, 1))), {
    problem: /label 1.5 at row 3 is not a class index/,
    fix: /integer classes/,
    unchanged
  });
});

test('splitForSsl: fewer class names than classes', async () => {
  await expectClearError(
    () => splitForSsl(hand(Int32Array.of(0, 1, 2, 0, 1, 2, 0, 1), { classNames: ['a', 'b'] })),
    {
      problem: /labels go up to 2 but only 2 class names were given/,
      fix: /one class name per class/
    }
  );
});

test('splitForSsl: an empty dataset', async () => {
  await expectClearError(
    () => splitForSsl({ name: 'none', inputs: tf.zeros([0, 3]), labels: new Int32Array(0) }),
    { problem: /dataset 'none' is empty/, fix: /Load some data/ }
  );
});

test("splitForSsl: seed '7' (was: seed 0's split, in silence)", async () => {
  const data = hand(Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1));
  await expectClearError(() => splitForSsl(data, { seed: '7' as unknown as number }), {
    problem: /seed must be an integer, got the string "7"/,
    fix: /seed: 7 \(without quotes\)/
  });
});

test('splitForSsl: a misspelt option', async () => {
  const data = hand(Int32Array.of(0, 1, 0, 1, 0, 1, 0, 1));
  await expectClearError(() => splitForSsl(data, { labelFractoin: 0.5 } as never), {
    problem: /Unknown option 'labelFractoin' for splitForSsl/,
    fix: /labelFraction/
  });
});

/** A small labelled split: 3 labelled examples per class is the neighbour bank. */
function smallSplit() {
  const labels = Int32Array.from({ length: 40 }, (_, i) => i % 2);
  return splitForSsl(
    { name: 'small', inputs: tf.randomUniform([40, 4, 4, 1], 0, 1, 'float32', 2), labels },
    { labelsPerClass: 3, seed: 1 }
  );
}

test('evaluate: k larger than the labelled bank (was: a smaller k ran, the caption said 20)', async () => {
  const split = smallSplit();
  await expectClearError(() => evaluate({ fake: fakeTask().encoder }, split, { display: false }), {
    problem: /evaluate\(\): k = 20 is larger than the 6 labelled examples in the neighbour bank/,
    fix: /k <= 6/,
    unchanged
  });
});

test('evaluate: a test set whose labels do not fit', async () => {
  const split = smallSplit();
  const broken = { ...split, test: { ...split.test, labels: split.test.labels!.slice(1) } };
  await expectClearError(
    () => evaluate({ fake: fakeTask().encoder }, broken, { k: 3, display: false }),
    {
      problem: /evaluate\(\) split.test: small \(test\): \d+ labels for \d+ examples/,
      fix: /one label/
    }
  );
});

test("evaluate: seed '3'", async () => {
  const split = smallSplit();
  await expectClearError(
    () =>
      evaluate({ fake: fakeTask().encoder }, split, { k: 3, seed: '3' as never, display: false }),
    { problem: /got the string "3"/, fix: /seed: 3/ }
  );
});

test('knnMonitor: k larger than the bank is refused before training, not clamped', async () => {
  const split = smallSplit();
  await expectClearError(() => knnMonitor(split.labeled, split.test, { k: 10 }), {
    problem: /knnMonitor: k = 10 is larger than the 6 labelled examples/,
    fix: /k <= 6/
  });
});

test('knnMonitor: a bank with negative labels', async () => {
  const split = smallSplit();
  const bank = { ...split.labeled, labels: Int32Array.of(0, 1, -2, 0, 1, 0) };
  await expectClearError(() => knnMonitor(bank, split.test, { k: 3 }), {
    problem: /knnMonitor bank: small \(labeled\): label -2 at row 2/,
    fix: /integer classes/
  });
});

test('train: inputs that were disposed', async () => {
  const gone: Tensor = inputs(8);
  gone.dispose();
  await expectClearError(
    () => train(fakeTask(), { name: 'gone', inputs: gone }, { display: false, runStore: store }),
    { problem: /inputs of dataset 'gone' were disposed/, fix: /Load the data again/, unchanged }
  );
});

test('train: something that is not a dataset', async () => {
  await expectClearError(() => datasetSource({ name: 'rows', inputs: [[1, 2]] } as never), {
    problem: /expected a dataset .* got an object whose inputs are an array/,
    fix: /loader/
  });
});
