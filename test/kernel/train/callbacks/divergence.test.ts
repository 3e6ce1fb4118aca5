import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf, type Tensor4D } from '../../../../kernel/src/backend/tf';
import { gaussianNoise } from '../../../../kernel/src/augment/photometric';
import { convEncoder } from '../../../../kernel/src/models/conv-encoder';
import { loadCheckpoint, openRunStore } from '../../../../kernel/src/runs/store';
import { simclr } from '../../../../kernel/src/tasks/simclr';
import type { StepStats, TrainContext } from '../../../../kernel/src/train/callbacks/callback';
import {
  chanceLoss,
  COLLAPSED_RANK,
  COLLAPSED_SPREAD,
  DivergenceGuard,
  PINNED_STEPS,
  WARMUP_STEPS
} from '../../../../kernel/src/train/callbacks/divergence';
import { probeSpread } from '../../../../kernel/src/features/health';
import type { PretextTask } from '../../../../kernel/src/tasks/task';
import { vicreg } from '../../../../kernel/src/tasks/vicreg';
import { resolveTrainOptions } from '../../../../kernel/src/train/options';
import { train } from '../../../../kernel/src/train/train';
import { PretextError } from '../../../../kernel/src/util/errors';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-divergence-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const data = () => ({
  name: 'noise',
  inputs: tf.randomUniform([64, 8, 8, 1], 0, 1, 'float32', 1) as Tensor4D
});
const tinySimclr = () =>
  simclr({
    encoder: convEncoder({ inputShape: [8, 8, 1], filters: [4, 8], seed: 0 }),
    seed: 0,
    augment: gaussianNoise({ std: 0.1 })
  });
const quiet = { display: false, batchSize: 8, runStore: false as const };

test('chance level: log(2N-1) for NT-Xent methods, the task own value first, else unknown', () => {
  const task = tinySimclr();
  assert.ok(Math.abs(chanceLoss(task, 8)! - Math.log(15)) < 1e-12);
  assert.equal(chanceLoss({ ...task, method: 'rotation' }, 8), undefined);
  assert.equal(
    chanceLoss({ ...task, method: 'rotation', chanceLoss: () => Math.log(4) }, 8),
    Math.log(4)
  );
  task.dispose();
});

test('an absurd learning rate on a tiny SimCLR run fails with what was seen and a fix; the checkpoint stays', async () => {
  const task = tinySimclr();
  const error = await train(task, data(), {
    ...quiet,
    runStore: root,
    epochs: 30,
    learningRate: 10
  }).catch(e => e);
  assert.ok(error instanceof PretextError, String(error));
  assert.match(
    error.message,
    /Training diverged at step \d+ \(epoch \d+\): the weights' global norm grew/
  );
  assert.match(error.message, /last checkpoint \(step \d+\) of run \S+ is intact/);
  assert.match(error.message, /Fix: lower learningRate \(e\.g\. 1\), set gradientClipNorm/);
  const run = openRunStore(root).list().at(-1)!;
  assert.equal(run.status, 'failed');
  const fresh = tinySimclr();
  assert.ok(loadCheckpoint(fresh, run.id, root).step > 0);
  task.dispose();
  fresh.dispose();
});

test("divergenceGuard: 'warn' warns once and trains on; false stays silent", async () => {
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => warnings.push(message);
  try {
    const task = tinySimclr();
    const warned = await train(task, data(), {
      ...quiet,
      epochs: 8,
      learningRate: 10,
      divergenceGuard: 'warn'
    });
    assert.equal(warned.status, 'done');
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /Training diverged at step \d+/);
    task.dispose();
    const off = tinySimclr();
    const silent = await train(off, data(), {
      ...quiet,
      epochs: 8,
      learningRate: 10,
      divergenceGuard: false
    });
    assert.equal(silent.status, 'done');
    assert.equal(warnings.length, 1);
    off.dispose();
  } finally {
    console.warn = warn;
  }
  assert.throws(
    () => resolveTrainOptions({ divergenceGuard: 'yes' as never }),
    /divergenceGuard must be true, false or 'warn'/
  );
});

test('a normal run is not flagged, and its embeddings are well clear of a collapse', async () => {
  const task = tinySimclr();
  const images = data();
  const before = tf.memory().numTensors;
  const result = await train(task, images, { ...quiet, epochs: 16, learningRate: 1e-3 });
  assert.equal(result.status, 'done');
  assert.equal(result.records.length, 128);
  assert.equal(tf.memory().numTensors, before, 'the probe batch is disposed at the end');
  // The guard looked 5 times (every 25 steps); the same measure now shows a wide margin.
  const seen = probeSpread(task.encoder, images.inputs)!;
  assert.ok(seen.spread > 3 * COLLAPSED_SPREAD, `spread ${seen.spread}`);
  assert.ok(seen.rank > 2 * COLLAPSED_RANK, `rank ${seen.rank}`);
  images.inputs.dispose();
  task.dispose();
});

/** VICReg with only its invariance term: the loss falls to ~0 as every embedding collapses. */
const invarianceOnly = () =>
  vicreg({
    encoder: convEncoder({ inputShape: [8, 8, 1], filters: [8, 16], seed: 0 }),
    augment: gaussianNoise({ std: 0.1 }),
    weights: { muVariance: 0, nuCovariance: 0 },
    expanderDim: 16,
    seed: 0
  });

test('VICReg without its variance term collapses while the loss looks fine: caught, with the fix', async () => {
  const task = invarianceOnly();
  const images = data();
  const before = tf.memory().numTensors;
  // At this rate the run is chaotic: eager steps collapse the encoder by step 50; compiled
  // steps (equal step for step within float rounding) drift onto a path where the expander
  // collapses first. The guard watches the encoder, so the test keeps the eager path.
  const error = await train(task, images, {
    ...quiet,
    epochs: 40,
    learningRate: 0.1,
    compile: false
  }).catch(e => e);
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind by the failed run');
  assert.ok(error instanceof PretextError, String(error));
  assert.match(
    error.problem,
    /The representation collapsed at step \d+ \(epoch \d+\) while the loss is [\d.e-]+: the encoder('s embeddings| maps)/
  );
  assert.match(error.fix, /keep VICReg's variance term on .*this run has 0/);
  assert.match(error.fix, /divergenceGuard: 'warn'/);
  images.inputs.dispose();
  task.dispose();
  task.encoder.dispose();
});

/** A frozen encoder of these layers, and a head whose loss falls: training "works". */
function frozenEncoderTask(...layers: ReturnType<typeof tf.layers.dense>[]): PretextTask {
  const encoder = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [8, 8, 1] }), ...layers]
  });
  encoder.trainable = false;
  const head = tf.variable(tf.zeros([6]), true);
  return {
    method: 'frozen',
    encoder,
    trainableVariables: () => [head],
    loss: batch =>
      tf.tidy(() => tf.mean(tf.square(tf.sub(encoder.apply(batch) as Tensor4D, head))).asScalar()),
    config: () => ({ method: 'frozen' }),
    dispose: () => {
      head.dispose();
      encoder.dispose();
    }
  };
}

/** An encoder that outputs its bias whatever the input. */
const constant = () =>
  frozenEncoderTask(
    tf.layers.dense({ units: 6, kernelInitializer: 'zeros', biasInitializer: 'ones' })
  );

test('an encoder forced constant is caught at the second look; warn mode warns once and trains on', async () => {
  const task = constant();
  const images = data();
  const error = await train(task, images, { ...quiet, epochs: 8 }).catch(e => e);
  assert.ok(error instanceof PretextError, String(error));
  assert.match(
    error.problem,
    /collapsed at step 50 .*maps 64 fixed training examples to nearly the same embedding \(spread 0/
  );
  assert.match(error.fix, /add a term that keeps embeddings apart/);
  task.dispose();
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => warnings.push(message);
  try {
    const warned = constant();
    const result = await train(warned, images, { ...quiet, epochs: 16, divergenceGuard: 'warn' });
    assert.equal(result.status, 'done');
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /Pretext warning: The representation collapsed at step 50/);
    warned.dispose();
  } finally {
    console.warn = warn;
  }
  images.inputs.dispose();
});

test('embeddings spread along a single direction are caught by their effective rank', async () => {
  // Rank one: a 1-unit layer, then a fixed direction in 6 dimensions.
  const task = frozenEncoderTask(
    tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotNormal({ seed: 2 }) }),
    tf.layers.dense({ units: 6, kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) })
  );
  const images = data();
  const error = await train(task, images, { ...quiet, epochs: 8 }).catch(e => e);
  assert.ok(error instanceof PretextError, String(error));
  assert.match(error.problem, /lie along about one direction \(effective rank 1\.\d\d of 6\)/);
  task.dispose();
  images.inputs.dispose();
});
/** Drives the guard directly with a loss sequence (the weights stay as they are). */
function feed(losses: number[]): unknown {
  const task = tinySimclr();
  const options = resolveTrainOptions({ batchSize: 8, learningRate: 0.5 });
  const ctx = { task, options, resumedFromStep: undefined } as unknown as TrainContext;
  const guard = new DivergenceGuard();
  guard.onTrainBegin(ctx);
  try {
    losses.forEach((loss, i) => {
      const stats: StepStats = { step: i + 1, epoch: 1, loss, gradNorm: 1, lr: 0.5 };
      guard.onGradients(stats, ctx);
    });
    return undefined;
  } catch (e) {
    return e;
  } finally {
    task.dispose();
  }
}

test('a loss that fell and then sits at chance level is a collapse; one that never left it, past the warm-up', () => {
  const chance = Math.log(15);
  const fallen = [2.5, 2.2, 2.0, ...Array<number>(PINNED_STEPS).fill(chance)];
  const collapse = feed(fallen);
  assert.ok(collapse instanceof PretextError, String(collapse));
  assert.match(
    collapse.message,
    /had fallen to 2\.0000 but has sat at the task's chance level 2\.7081/
  );
  assert.match(collapse.message, /step 33/);
  assert.equal(feed(fallen.slice(0, -1)), undefined, 'one step short of the limit');
  assert.equal(feed([2.5, 2.2, ...Array<number>(PINNED_STEPS - 1).fill(chance), 2.4]), undefined);
  const flat = Array<number>(WARMUP_STEPS + 1).fill(chance * 0.999);
  const never = feed(flat);
  assert.ok(never instanceof PretextError, String(never));
  assert.match(never.message, /never left the task's chance level/);
  assert.match(never.message, /raise learningRate \(e\.g\. 5\)/, 'calm weights: maybe too low');
  assert.equal(feed(flat.slice(0, -1)), undefined, 'still in the warm-up');
  assert.equal(feed(Array<number>(200).fill(chance * 0.98)), undefined, 'slowly learning');
});
