/**
 * SimCLR training-step benchmark: Pretext on tfjs-node (native TensorFlow) against the same
 * step in PyTorch CPU, in one run on one machine.
 *
 *   npm run bench                      # batch 256, 10 timed steps
 *   BENCH_BATCH=128 BENCH_STEPS=20 npm run bench
 *
 * PyTorch is used only here, for the comparison: when `.venv` cannot import torch, the bench
 * installs torch==2.13.0 (CPU) into it, unless PRETEXT_BENCH_NO_TORCH=1.
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { tf, type Tensor4D } from '../kernel/src/backend/tf';
import { simclrAugment } from '../kernel/src/augment/compose';
import { loadMnist } from '../kernel/src/data/mnist';
import { convEncoder } from '../kernel/src/models/conv-encoder';
import { modelVariables } from '../kernel/src/models/variables';
import { simclr } from '../kernel/src/tasks/simclr';
import { deriveSeed } from '../kernel/src/util/random';

const ROOT = resolve(__dirname, '..');
const BATCH = Number(process.env.BENCH_BATCH ?? 256);
const STEPS = Number(process.env.BENCH_STEPS ?? 10);
const THREADS = cpus().length;

interface Timing {
  name: string;
  medianMs: number;
  minMs: number;
}

async function time(name: string, step: (i: number) => Promise<void>): Promise<Timing> {
  for (let i = 0; i < 3; i++) await step(i);
  const times: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const started = performance.now();
    await step(i + 3);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { name, medianMs: times[Math.floor(times.length / 2)], minMs: times[0] };
}

function torchTiming(): Timing | string {
  const python = join(ROOT, '.venv', 'bin', 'python');
  const importable = () =>
    spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  if (!importable()) {
    if (process.env.PRETEXT_BENCH_NO_TORCH === '1') return 'skipped (PRETEXT_BENCH_NO_TORCH=1)';
    console.log('installing torch==2.13.0 (CPU) into .venv for the comparison ...');
    spawnSync(python, ['-m', 'pip', 'install', '--progress-bar', 'off', 'torch==2.13.0'], {
      stdio: 'inherit'
    });
    if (!importable()) return 'PyTorch could not be installed; comparison skipped';
  }
  const result = spawnSync(
    python,
    [join(__dirname, 'simclr_step_torch.py'), String(BATCH), String(STEPS), String(THREADS)],
    {
      encoding: 'utf8'
    }
  );
  if (result.status !== 0) return `PyTorch run failed: ${result.stderr.trim().split('\n').at(-1)}`;
  const out = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
    torch: string;
    median_ms: number;
    min_ms: number;
  };
  return {
    name: `PyTorch ${out.torch} CPU, same model + NT-Xent, views given`,
    medianMs: out.median_ms,
    minMs: out.min_ms
  };
}

async function main(): Promise<void> {
  const mnist = loadMnist({ perClass: Math.ceil(BATCH / 10) + 1 });
  const batch = tf.tidy(
    () => tf.slice(mnist.inputs, [0, 0, 0, 0], [BATCH, -1, -1, -1]) as Tensor4D
  );
  const augment = simclrAugment();
  const encoder = convEncoder({ inputShape: [28, 28, 1], seed: 1 });
  const task = simclr({ encoder, augment, temperature: 0.2, seed: 1 });
  // Same task with views given as-is: the arithmetic the PyTorch step does.
  const plainEncoder = convEncoder({ inputShape: [28, 28, 1], seed: 1 });
  const plain = simclr({
    encoder: plainEncoder,
    augment: images => images.clone(),
    temperature: 0.2,
    seed: 1
  });
  const optimizer = tf.train.adam(1e-3);
  const plainOptimizer = tf.train.adam(1e-3);

  const results: Timing[] = [];
  results.push(
    await time('Pretext SimCLR step, augmentation included', async i => {
      const loss = optimizer.minimize(
        () => task.loss(batch, deriveSeed(0, i)),
        true,
        task.trainableVariables()
      );
      await loss!.data();
      loss!.dispose();
    })
  );
  results.push(
    await time('Pretext SimCLR step, views given (model + NT-Xent only)', async i => {
      const loss = plainOptimizer.minimize(
        () => plain.loss(batch, i),
        true,
        plain.trainableVariables()
      );
      await loss!.data();
      loss!.dispose();
    })
  );
  results.push(
    await time('Pretext augmentation alone (two views)', async i => {
      const [a, b] = [augment(batch, deriveSeed(i, 1)), augment(batch, deriveSeed(i, 2))];
      await Promise.all([a.data(), b.data()]);
      a.dispose();
      b.dispose();
    })
  );
  const torch = torchTiming();
  if (typeof torch !== 'string') results.push(torch);

  const variables = modelVariables(encoder).reduce((n, v) => n + v.size, 0);
  console.log(
    `\nSimCLR step benchmark: batch ${BATCH} (${2 * BATCH} views of 28x28x1), ${STEPS} timed steps after 3 warm-up, ${THREADS} CPU threads`
  );
  console.log(
    `encoder conv[32,64,128] + GAP (${variables} weights), head 128-128-64, NT-Xent t=0.2, Adam 1e-3; tfjs backend: ${tf.getBackend()}\n`
  );
  const reference = typeof torch === 'string' ? undefined : torch.medianMs;
  console.log(
    ['variant'.padEnd(62), 'median ms', '  min ms', ' samples/s', ' vs PyTorch'].join(' ')
  );
  for (const r of results) {
    const ratio = reference ? `${(r.medianMs / reference).toFixed(2)}x` : '-';
    console.log(
      [
        r.name.padEnd(62),
        r.medianMs.toFixed(1).padStart(9),
        r.minMs.toFixed(1).padStart(8),
        (BATCH / (r.medianMs / 1000)).toFixed(0).padStart(10),
        ratio.padStart(11)
      ].join(' ')
    );
  }
  if (typeof torch === 'string') console.log(`\nPyTorch: ${torch}`);
  console.log('\nratio = median ms / PyTorch median ms (below 1 means Pretext is faster).');
}

void main();
