import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Scalar, type Tensor } from '../../../kernel/src/backend/tf';
import { traceableBackend } from '../../../kernel/src/backend/graph/trace';
import { simclrAugment } from '../../../kernel/src/augment/compose';
import { convEncoder } from '../../../kernel/src/models/conv-encoder';
import { simclr } from '../../../kernel/src/tasks/simclr';
import type { PretextTask } from '../../../kernel/src/tasks/task';
import { MAX_TRACED_SHAPES, StepGradientEngine } from '../../../kernel/src/train/step-gradients';
import { train } from '../../../kernel/src/train/train';
import { fakeTask } from './fake-task';

const traceable = traceableBackend() !== undefined;

function smallSimclr(batchNorm: boolean): PretextTask {
  const encoder = convEncoder({ inputShape: [16, 16, 1], filters: [8, 16], batchNorm, seed: 3 });
  return simclr({ encoder, augment: simclrAugment(), temperature: 0.2, seed: 4 });
}

function images(n: number, seed: number): Tensor {
  return tf.randomUniform([n, 16, 16, 1], 0, 1, 'float32', seed);
}

interface StepOptions {
  optimizer?: 'adamw';
  schedule?: { kind: 'cosine' };
  learningRate?: number;
  gradientClipNorm?: number;
  weightDecay?: number;
}

async function losses(task: PretextTask, data: Tensor, compile: boolean, extra: StepOptions = {}) {
  const run = await train(
    task,
    { name: 'noise', inputs: data },
    {
      epochs: 2,
      batchSize: 16,
      learningRate: 1e-3,
      seed: 7,
      compile,
      display: false,
      runStore: false,
      ...extra
    }
  );
  return { losses: run.history.map(p => p.loss), steps: run.steps };
}

const cases: { batchNorm: boolean; extra: StepOptions; title: string }[] = [
  { batchNorm: false, extra: {}, title: '' },
  { batchNorm: true, extra: {}, title: ' (batch norm)' },
  // The first step's decay factor 1 - 1e-2 * 0.1 equals Adam's beta2, and the cosine schedule
  // changes it afterwards: an input that must stay an input, a constant that must stay one.
  {
    batchNorm: false,
    extra: {
      optimizer: 'adamw',
      learningRate: 1e-2,
      weightDecay: 0.1,
      gradientClipNorm: 0.5,
      schedule: { kind: 'cosine' }
    },
    title: ' with AdamW and clipping inside it'
  }
];

for (const { batchNorm, extra, title } of cases) {
  test(
    `px.train compiles SimCLR's step${title} and trains as the eager step does`,
    { skip: !traceable },
    async () => {
      const data = images(64, 1);
      const eagerTask = smallSimclr(batchNorm);
      const compiledTask = smallSimclr(batchNorm);
      const eager = await losses(eagerTask, data, false, extra);
      const compiled = await losses(compiledTask, data, true, extra);
      assert.equal(eager.steps?.compiled, false);
      assert.equal(eager.steps?.reason, 'compile: false');
      assert.equal(compiled.steps?.compiled, true, compiled.steps?.reason);
      assert.equal(compiled.steps?.update, true, 'Adam runs inside the compiled step');
      assert.ok((compiled.steps?.ops ?? 0) > 50);
      assert.equal(compiled.losses.length, 8);
      compiled.losses.forEach((loss, i) =>
        assert.ok(
          Math.abs(loss - eager.losses[i]) < 1e-3 * Math.abs(eager.losses[i]),
          `step ${i}: ${loss} vs ${eager.losses[i]}`
        )
      );
      // Same weights at the end (batch-norm statistics included, when there are any).
      const [a, b] = [eagerTask.encoder.getWeights(), compiledTask.encoder.getWeights()];
      a.forEach((w, i) => {
        const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(w, b[i]))).dataSync()[0]);
        assert.ok(diff < 1e-3, `weight ${i} differs by ${diff}`);
      });
      // A second run of the same task: nothing a compiled run makes outlives it.
      const before = tf.memory().numTensors;
      await losses(compiledTask, data, true, extra);
      assert.equal(tf.memory().numTensors, before, 'tensor count flat over a compiled run');
      for (const t of [eagerTask, compiledTask]) {
        t.dispose();
        t.encoder.dispose();
      }
      data.dispose();
    }
  );
}

test(
  'a step a gradient callback rejects leaves the weights as they were: the compiled update is dropped',
  { skip: !traceable },
  async () => {
    const data = images(64, 1);
    const task = smallSimclr(true);
    let afterStep2: Float32Array[] = [];
    const snapshot = () => task.encoder.getWeights().map(w => w.dataSync() as Float32Array);
    const error = await train(
      task,
      { name: 'noise', inputs: data },
      {
        epochs: 2,
        batchSize: 16,
        seed: 7,
        display: false,
        runStore: false,
        callbacks: [
          {
            name: 'reject step 3',
            onGradients: stats => {
              if (stats.step === 3) {
                throw new Error('rejected');
              }
            },
            onStepEnd: record => {
              if (record.step === 2) {
                afterStep2 = snapshot();
              }
            }
          }
        ]
      }
    ).catch(e => e as Error);
    assert.match(String(error), /rejected/);
    // Weights and batch-norm statistics: step 3's new values were never applied.
    assert.deepEqual(snapshot(), afterStep2);
    task.dispose();
    task.encoder.dispose();
    data.dispose();
  }
);

test(
  'an objective that draws JavaScript randomness is caught at the first step and runs eagerly',
  { skip: !traceable },
  () => {
    const base = fakeTask();
    const task: PretextTask = {
      ...base,
      stages: {
        prepare: batch => [batch.clone()],
        // Unseeded: a traced copy would freeze one draw; the check against an eager step sees it.
        objective: ([batch]) =>
          tf.add(base.loss(batch, 0), tf.sum(tf.randomUniform([3], 0, 1))) as Scalar
      }
    };
    const engine = new StepGradientEngine(task, task.trainableVariables(), true);
    const batch = tf.randomNormal([8, 4, 4, 1], 0, 1, 'float32', 2);
    for (let step = 0; step < 3; step++) {
      const { value, norm, grads } = engine.compute(batch, step);
      assert.ok(Number.isFinite(value.dataSync()[0]));
      tf.dispose([value, norm, ...Object.values(grads)]);
    }
    assert.equal(engine.mode.compiled, false);
    assert.match(engine.mode.reason!, /disagrees with an eager step/);
    engine.dispose();
    batch.dispose();
    base.encoder.dispose();
  }
);

test(
  'inputs that change shape every step fall back to eager steps after a few traces',
  { skip: !traceable },
  () => {
    const base = fakeTask();
    const task: PretextTask = {
      ...base,
      stages: { prepare: batch => [batch.clone()], objective: ([batch]) => base.loss(batch, 0) }
    };
    const engine = new StepGradientEngine(task, task.trainableVariables(), true);
    for (let n = 2; n < 4 + MAX_TRACED_SHAPES; n++) {
      const batch = tf.randomNormal([n, 4, 4, 1]);
      const { value, norm, grads } = engine.compute(batch, n);
      tf.dispose([value, norm, ...Object.values(grads), batch]);
    }
    assert.equal(engine.mode.compiled, false);
    assert.match(engine.mode.reason!, /change shape from step to step/);
    engine.dispose();
    base.encoder.dispose();
  }
);

test('a task without stages, compile: false and PRETEXT_GRAPH=0 say why steps are eager', () => {
  const task = fakeTask();
  const vars = task.trainableVariables();
  assert.match(new StepGradientEngine(task, vars, true).mode.reason!, /does not split its loss/);
  const staged: PretextTask = {
    ...task,
    stages: { prepare: b => [b.clone()], objective: ([b]) => task.loss(b, 0) }
  };
  assert.equal(new StepGradientEngine(staged, vars, false).mode.reason, 'compile: false');
  process.env.PRETEXT_GRAPH = '0';
  try {
    assert.equal(new StepGradientEngine(staged, vars, true).mode.reason, 'PRETEXT_GRAPH=0');
  } finally {
    delete process.env.PRETEXT_GRAPH;
  }
  task.encoder.dispose();
});
