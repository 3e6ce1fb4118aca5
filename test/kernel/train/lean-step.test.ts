import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor, type Tensor2D, type Tensor4D } from '../../../kernel/src/backend/tf';
import { gaussianNoise } from '../../../kernel/src/augment/photometric';
import { holdLossConstants, ntXentLoss } from '../../../kernel/src/losses/nt-xent';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { simclr } from '../../../kernel/src/tasks/simclr';
import { createOptimizer } from '../../../kernel/src/train/optimizers';
import { train } from '../../../kernel/src/train/train';

/** Counts host-to-backend uploads: every tensor made from JS values goes through write(). */
function countUploads<T>(fn: () => T): { value: T; uploads: number } {
  const backend = tf.backend() as unknown as { write: (...args: unknown[]) => unknown };
  const write = backend.write;
  let uploads = 0;
  backend.write = (...args: unknown[]) => (uploads++, write.apply(backend, args));
  try {
    return { value: fn(), uploads };
  } finally {
    backend.write = write;
  }
}

for (const nativeAdam of [false, true]) {
  test(`Adam (${nativeAdam ? "TF's fused kernel" : 'tfjs ops'}) uploads nothing while the rate holds, one scalar when it changes; values match tfjs`, () => {
    const init = [
      tf.randomNormal([3, 4], 0, 1, 'float32', 1),
      tf.randomNormal([4], 0, 1, 'float32', 2)
    ];
    const lean = init.map((t, i) => tf.variable(t, true, `lean-${i}`));
    const plain = init.map((t, i) => tf.variable(t, true, `plain-${i}`));
    const engine = createOptimizer('adam', 0.01, 0.9, { nativeAdam });
    assert.equal(engine.nativeAdam, nativeAdam);
    const reference = tf.train.adam(0.01);
    const grads = (step: number) => init.map((t, i) => tf.mul(t, step + i + 1) as Tensor);
    const uploads: number[] = [];
    for (let step = 0; step < 6; step++) {
      const g = grads(step);
      if (step === 4) {
        engine.setLearningRate(0.02);
        (reference as unknown as { learningRate: number }).learningRate = 0.02;
      }
      uploads.push(
        countUploads(() => engine.apply(lean, { 'lean-0': g[0], 'lean-1': g[1] })).uploads
      );
      reference.applyGradients(plain.map((v, i) => ({ name: v.name, tensor: g[i] })));
      tf.dispose(g);
    }
    // Step 0: the moments' zeros and the constants; then nothing, and one scalar for a new rate.
    assert.deepEqual(uploads.slice(1), [0, 0, 0, 1, 0], `uploads ${uploads}`);
    lean.forEach((v, i) => {
      if (nativeAdam) {
        // TF's kernel computes the same update in another order: equal within float rounding.
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(v, plain[i]))).dataSync()[0]);
        assert.ok(diff < 1e-5, `max difference ${diff}`);
      } else {
        assert.deepEqual(v.dataSync(), plain[i].dataSync(), 'bit-identical');
      }
    });
    const before = tf.memory().numTensors;
    engine.dispose();
    assert.ok(tf.memory().numTensors < before, 'the cached scalars are freed with the optimiser');
    reference.dispose();
    tf.dispose([...init, ...lean, ...plain]);
  });
}

test('NT-Xent reuses its mask and temperature while held, gives the same value, frees them on release', () => {
  const z1 = tf.randomNormal([8, 4], 0, 1, 'float32', 1) as Tensor2D;
  const z2 = tf.randomNormal([8, 4], 0, 1, 'float32', 2) as Tensor2D;
  const loss = () => tf.tidy(() => ntXentLoss(z1, z2, 0.5).dataSync()[0]);
  const unheld = countUploads(loss);
  const before = tf.memory().numTensors;
  const release = holdLossConstants();
  loss();
  const held = countUploads(loss);
  assert.equal(held.value, unheld.value);
  // The diagonal mask, its 1e9 and the temperature (twice) are no longer uploaded.
  assert.ok(held.uploads <= unheld.uploads - 4, `held ${held.uploads} vs ${unheld.uploads}`);
  release();
  release();
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([z1, z2]);
});

test('a SimCLR + Adam step uploads no more than an SGD step (no per-variable constants)', async () => {
  const inputs = tf.randomUniform([48, 8, 8, 1], 0, 1, 'float32', 1) as Tensor4D;
  const perStep = async (optimizer: 'adam' | 'sgd') => {
    const task = simclr({
      encoder: convEncoder({ inputShape: [8, 8, 1], filters: [4, 8], seed: 0 }),
      seed: 0,
      augment: gaussianNoise({ std: 0.1 })
    });
    const backend = tf.backend() as unknown as { write: (...args: unknown[]) => unknown };
    const write = backend.write;
    let uploads = 0;
    let last = 0;
    const counts: number[] = [];
    backend.write = (...args: unknown[]) => (uploads++, write.apply(backend, args));
    try {
      await train(
        task,
        { name: 'r', inputs },
        {
          display: false,
          runStore: false,
          batchSize: 8,
          epochs: 2,
          optimizer,
          callbacks: [
            {
              name: 'uploads',
              onTrainBegin: () => void (last = uploads),
              onStepEnd: () => void (counts.push(uploads - last), (last = uploads))
            }
          ]
        }
      );
    } finally {
      backend.write = write;
      task.dispose();
    }
    return counts.slice(2);
  };
  const adam = await perStep('adam');
  const sgd = await perStep('sgd');
  assert.ok(new Set(adam).size === 1, `flat after warm-up: ${adam}`);
  assert.ok(adam[0] <= sgd[0], `adam ${adam[0]} vs sgd ${sgd[0]} uploads per step`);
  inputs.dispose();
});
