import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor2D } from '../../../kernel/src/backend/tf';
import { linearProbe } from '../../../kernel/src/eval/linear-probe';
import { PretextError } from '../../../kernel/src/util/errors';
import { rng } from '../../../kernel/src/util/random';

/** Three classes that a linear classifier separates, plus distracting large-scale features. */
function threeClasses(n: number, seed: number) {
  const random = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centers = [
    [2, 0],
    [-1, 1.7],
    [-1, -1.7]
  ];
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    // Informative dims on a small scale; nuisance dims with a large scale and offset, which
    // standardisation must tame.
    rows.push([
      centers[c][0] + 0.4 * gauss(),
      centers[c][1] + 0.4 * gauss(),
      100 + 50 * gauss(),
      -20 + 10 * gauss()
    ]);
    labels.push(c);
  }
  return { x: tf.tensor2d(rows) as Tensor2D, y: Int32Array.from(labels) };
}

test('linear probe separates linearly separable classes, tunes l2 and frees everything', () => {
  const train = threeClasses(240, 1);
  const test_ = threeClasses(150, 2);
  const before = tf.memory().numTensors;
  const result = linearProbe({
    trainX: train.x,
    trainY: train.y,
    testX: test_.x,
    testY: test_.y,
    epochs: 60,
    seed: 1
  });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(result.accuracy >= 0.95, `test accuracy ${result.accuracy}`);
  assert.ok(result.trainAccuracy >= 0.95, `train accuracy ${result.trainAccuracy}`);
  assert.equal(result.numClasses, 3);
  assert.deepEqual(
    result.candidates.map(c => c.l2),
    [0, 1e-4, 1e-3, 1e-2]
  );
  assert.ok(result.candidates.every(c => c.valAccuracy >= 0 && c.valAccuracy <= 1));
  const best = Math.max(...result.candidates.map(c => c.valAccuracy));
  assert.equal(result.candidates.find(c => c.l2 === result.l2)!.valAccuracy, best);
  // Same seed, same result.
  const again = linearProbe({
    trainX: train.x,
    trainY: train.y,
    testX: test_.x,
    testY: test_.y,
    epochs: 60,
    seed: 1
  });
  assert.deepEqual(again, result);
  tf.dispose([train.x, test_.x]);
});

test('linear probe on random labels stays near chance', () => {
  const train = threeClasses(240, 3);
  const test_ = threeClasses(300, 4);
  const random = rng(9);
  const shuffledTrain = train.y.map(() => Math.floor(random() * 3));
  const shuffledTest = test_.y.map(() => Math.floor(random() * 3));
  const result = linearProbe({
    trainX: train.x,
    trainY: shuffledTrain,
    testX: test_.x,
    testY: shuffledTest,
    epochs: 40,
    l2: 1e-3
  });
  assert.ok(
    result.accuracy > 0.2 && result.accuracy < 0.47,
    `accuracy ${result.accuracy} is not near 1/3`
  );
  assert.deepEqual(result.candidates, []);
  assert.equal(result.l2, 1e-3);
  tf.dispose([train.x, test_.x]);
});

test('linear probe rejects bad inputs with PretextError', () => {
  const train = threeClasses(30, 1);
  const test_ = threeClasses(9, 2);
  const narrow = tf.zeros([9, 3]) as Tensor2D;
  const nan = tf.fill([9, 4], NaN) as Tensor2D;
  const base = { trainX: train.x, trainY: train.y, testX: test_.x, testY: test_.y };
  const before = tf.memory().numTensors;
  assert.throws(
    () => linearProbe({ ...base, trainY: train.y.slice(2) }),
    /28 entries but the embeddings have 30 rows/
  );
  assert.throws(() => linearProbe({ ...base, testX: narrow }), /4 features but testX has 3/);
  assert.throws(() => linearProbe({ ...base, testX: nan }), /NaN/);
  assert.throws(() => linearProbe({ ...base, numClasses: 2 }), /class 2 but numClasses is 2/);
  assert.throws(() => linearProbe({ ...base, trainY: new Int32Array(30) }), /at least 2 classes/);
  assert.throws(() => linearProbe({ ...base, l2: [] }), PretextError);
  assert.throws(() => linearProbe({ ...base, l2: -1 }), PretextError);
  assert.throws(() => linearProbe({ ...base, epochs: 0 }), PretextError);
  assert.throws(() => linearProbe({ ...base, lr: 0.1 } as never), /Unknown option 'lr'/);
  assert.throws(() => linearProbe({ ...base, folds: 0 }), /folds must be a positive integer/);
  assert.throws(() => linearProbe({ ...base, folds: 31 }), /too few for 31-fold/);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([train.x, test_.x, narrow, nan]);
});

test('linear probe with folds scores every l2 candidate on every training example once', () => {
  const train = threeClasses(60, 5);
  const test_ = threeClasses(150, 6);
  const before = tf.memory().numTensors;
  const base = { trainX: train.x, trainY: train.y, testX: test_.x, testY: test_.y, epochs: 40 };
  const result = linearProbe({ ...base, folds: 5, l2: [0, 1e-2, 10] });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(result.accuracy >= 0.9, `test accuracy ${result.accuracy}`);
  // Validation accuracy over all 60 examples: a multiple of 1/60, not of one part's size.
  for (const c of result.candidates) {
    assert.ok(
      Math.abs(c.valAccuracy * 60 - Math.round(c.valAccuracy * 60)) < 1e-9,
      String(c.valAccuracy)
    );
  }
  // So large a penalty shrinks the weights until the probe cannot separate the classes.
  const huge = result.candidates.find(c => c.l2 === 10)!;
  assert.ok(huge.valAccuracy < Math.max(...result.candidates.map(c => c.valAccuracy)));
  assert.notEqual(result.l2, 10);
  // One held-out part stays what it was (folds: 1 is the default).
  assert.deepEqual(
    linearProbe({ ...base, folds: 1, l2: [0, 1e-2] }),
    linearProbe({ ...base, l2: [0, 1e-2] })
  );
  tf.dispose([train.x, test_.x]);
});

test("normalize 'l2' (the default) probes directions: a per-row scale changes nothing", () => {
  const train = threeClasses(240, 3);
  const test_ = threeClasses(150, 4);
  // Informative dims only, each row scaled by its own factor in [0.05, 20].
  const random = rng(9);
  const scaled = (x: Tensor2D) =>
    tf.tidy(() => {
      const factors = Array.from({ length: x.shape[0] }, () => Math.exp(6 * random() - 3));
      return tf.mul(tf.slice(x, [0, 0], [-1, 2]), tf.tensor2d(factors, [x.shape[0], 1]));
    }) as Tensor2D;
  const plain = (x: Tensor2D) => tf.slice(x, [0, 0], [-1, 2]) as Tensor2D;
  const [trainPlain, testPlain, trainScaled, testScaled] = [
    plain(train.x),
    plain(test_.x),
    scaled(train.x),
    scaled(test_.x)
  ];
  const probe = (trainX: Tensor2D, testX: Tensor2D, normalize?: 'l2' | 'none') =>
    linearProbe({
      trainX,
      trainY: train.y,
      testX,
      testY: test_.y,
      epochs: 60,
      seed: 1,
      ...(normalize ? { normalize } : {})
    });
  const before = tf.memory().numTensors;
  const unscaled = probe(trainPlain, testPlain);
  const rescaled = probe(trainScaled, testScaled);
  assert.equal(unscaled.normalize, 'l2');
  assert.equal(rescaled.accuracy, unscaled.accuracy);
  assert.equal(rescaled.l2, unscaled.l2);
  assert.ok(rescaled.accuracy >= 0.9, `accuracy ${rescaled.accuracy}`);
  // As they are, the scales swamp the classes.
  const raw = probe(trainScaled, testScaled, 'none');
  assert.equal(raw.normalize, 'none');
  assert.ok(
    raw.accuracy < rescaled.accuracy - 0.1,
    `none ${raw.accuracy} vs l2 ${rescaled.accuracy}`
  );
  assert.equal(tf.memory().numTensors, before);
  assert.throws(
    () =>
      linearProbe({
        trainX: trainPlain,
        trainY: train.y,
        testX: testPlain,
        testY: test_.y,
        normalize: 'unit' as never
      }),
    /normalize must be 'l2' or 'none', got "unit"/
  );
  tf.dispose([train.x, test_.x, trainPlain, testPlain, trainScaled, testScaled]);
});
