/**
 * SimCLR training-step benchmark: Pretext on tfjs-node (native TensorFlow), with tfjs's own
 * gradients and with the native-gradient layer (kernel/src/backend/native), against the same
 * step in PyTorch CPU, in one run on one machine.
 *
 *   npm run bench                            # batch 256, 10 timed steps per variant
 *   BENCH_BATCH=64,256 BENCH_STEPS=20 npm run bench
 *   BENCH_MODELS=conv,conv-bn npm run bench    # of conv, conv-bn, resnet, resnet-bn (default all)
 *   BENCH_E2E_SECONDS=20 npm run bench         # end-to-end row: px.train vs a PyTorch loop (60 s)
 *   BENCH_BATCH=0 npm run bench                # the end-to-end row only (BENCH_E2E_SECONDS=0: none)
 *   BENCH_E2E_ROUNDS=3 npm run bench           # the end-to-end time in rounds alternating systems
 *   BENCH_MODELS=none npm run bench            # no SimCLR rows (e.g. only the method rows)
 *   BENCH_METHODS=moco,mlm npm run bench       # per-method rows (bench/method-steps.ts): of moco,
 *                                              # byol, masked-image, mlm, scarf, series-contrastive
 *                                              # (default all; none: skip), at BENCH_BATCH, or at
 *                                              # 64 and 256 when BENCH_BATCH is unset
 *
 * The two Pretext variants alternate step by step in one process (the layer is uninstalled
 * and installed between steps), so a busy machine slows both alike. PyTorch runs afterwards
 * in its own process with as many threads as tfjs uses, in both memory formats and under both
 * OpenMP wait policies (spinning threads lose badly on a shared machine); ratios are taken
 * against PyTorch's fastest row. PyTorch is used only here, for the
 * comparison: when `.venv` cannot import torch, the bench installs torch==2.13.0 (CPU) into
 * it, unless PRETEXT_BENCH_NO_TORCH=1.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { tf, type LayersModel, type Tensor4D } from '../kernel/src/backend/tf';
import {
  installNativeGradients,
  nativeGradientState,
  uninstallNativeGradients
} from '../kernel/src/backend/native/install';
import { projectiveTransformAvailable } from '../kernel/src/backend/native/image-transform';
import { onednnPoolingAvailable } from '../kernel/src/backend/native/pooling';
import { simclrAugment } from '../kernel/src/augment/compose';
import { loadMnist } from '../kernel/src/datasets/mnist';
import { convEncoder } from '../kernel/src/models/conv-encoder';
import { resnetEncoder } from '../kernel/src/models/resnet-encoder';
import { simclr, type SimclrTask } from '../kernel/src/tasks/simclr';
import { createOptimizer } from '../kernel/src/train/optimizers';
import { StepGradientEngine, type StepMode } from '../kernel/src/train/step-gradients';
import { deriveSeed } from '../kernel/src/util/random';
import { benchEndToEnd } from './e2e';
import { benchMethodSteps, methodsFromEnv } from './method-steps';

const ROOT = resolve(__dirname, '..');
const BATCHES = (process.env.BENCH_BATCH ?? '256')
  .split(',')
  .map(Number)
  .filter(n => n > 0);
const E2E_SECONDS = Number(process.env.BENCH_E2E_SECONDS ?? 60);
const STEPS = Number(process.env.BENCH_STEPS ?? 10);
const WARMUP = 3;

/** The benchmarked encoders: Pretext's row name, its builder, and the PyTorch variant. */
const MODELS = {
  conv: { label: 'conv', torch: 'plain', batchNorm: false },
  'conv-bn': { label: 'conv + BN', torch: 'bn', batchNorm: true },
  resnet: { label: 'resnet', torch: 'resnet', batchNorm: false },
  'resnet-bn': { label: 'resnet + BN', torch: 'resnet-bn', batchNorm: true }
} as const;
type ModelKey = keyof typeof MODELS;
const MODEL_KEYS = (process.env.BENCH_MODELS ?? Object.keys(MODELS).join(','))
  .split(',')
  .map(k => k.trim() as ModelKey)
  .filter(k => k in MODELS);

function buildEncoder(key: ModelKey): LayersModel {
  const { batchNorm } = MODELS[key];
  return key.startsWith('resnet')
    ? resnetEncoder({ inputShape: [28, 28, 1], seed: 1, batchNorm })
    : convEncoder({ inputShape: [28, 28, 1], seed: 1, batchNorm });
}
const THREADS = cpus().length;

interface Row {
  model: string;
  name: string;
  times: number[];
  /** Pretext rows compared with PyTorch's step on the same model. */
  compared?: boolean;
  /** PyTorch rows: the memory format. */
  torchFormat?: 'default' | 'channels-last';
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Whether the kernel backs memory with transparent huge pages (both systems share it). */
function hugePages(): string {
  try {
    const text = readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8');
    return /\[(\w+)\]/.exec(text)?.[1] ?? text.trim();
  } catch {
    return 'unknown (no /sys/kernel/mm/transparent_hugepage)';
  }
}

/** Multiply-adds x 2 of one forward pass per image, from the layers' own shapes. */
function forwardFlops(model: LayersModel): number {
  let flops = 0;
  for (const layer of model.layers) {
    const out = layer.outputShape as number[];
    const kernel = layer.getWeights()[0]?.shape as number[] | undefined;
    if (layer.getClassName() === 'Conv2D' && kernel) {
      flops += 2 * out[1] * out[2] * kernel[0] * kernel[1] * kernel[2] * kernel[3];
    } else if (layer.getClassName() === 'Dense' && kernel) {
      flops += 2 * kernel[0] * kernel[1];
    }
  }
  return flops;
}

function tfjsMatmulGflops(n = 2048): number {
  const [a, b] = [tf.randomUniform([n, n]), tf.randomUniform([n, n])];
  tf.matMul(a, b).dispose();
  let best = Infinity;
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    const c = tf.matMul(a, b);
    c.dataSync();
    best = Math.min(best, (performance.now() - started) / 1000);
    c.dispose();
  }
  tf.dispose([a, b]);
  return (2 * n ** 3) / best / 1e9;
}

type Step = (i: number) => Promise<void>;

/** Times steps of several variants, alternating them step by step; `before` sets each up. */
async function alternate(
  variants: { before: () => void; step: Step }[],
  steps = STEPS
): Promise<number[][]> {
  const times = variants.map(() => [] as number[]);
  for (let i = 0; i < WARMUP + steps; i++) {
    for (const [v, variant] of variants.entries()) {
      variant.before();
      const started = performance.now();
      await variant.step(i);
      if (i >= WARMUP) {
        times[v].push(performance.now() - started);
      }
    }
  }
  return times;
}

/**
 * The step px.train takes: loss + gradients through the engine (one compiled TF function where
 * the task allows it) and the engine's optimiser (TF's fused Adam). `modes` gets how it ran.
 */
function engineStep(
  task: SimclrTask,
  batch: Tensor4D,
  seedOf: (i: number) => number,
  modes: StepMode[]
): Step {
  const optimizer = createOptimizer('adam', 1e-3, 0);
  const variables = task.trainableVariables();
  const gradients = new StepGradientEngine(task, variables, true);
  modes.push(gradients.mode);
  return async i => {
    const { value, norm, grads } = gradients.compute(batch, seedOf(i));
    tf.tidy(() => optimizer.apply(variables, grads));
    tf.dispose([norm, ...Object.values(grads)]);
    await value.data();
    value.dispose();
  };
}

function trainStep(task: SimclrTask, batch: Tensor4D, seedOf: (i: number) => number): Step {
  const optimizer = tf.train.adam(1e-3);
  return async i => {
    const loss = optimizer.minimize(
      () => task.loss(batch, seedOf(i)),
      true,
      task.trainableVariables()
    );
    await loss!.data();
    loss!.dispose();
  };
}

/** PyTorch's rows, or why there are none. Installs torch into .venv when it is missing. */
function torchReady(): string | undefined {
  const python = join(ROOT, '.venv', 'bin', 'python');
  const importable = () =>
    spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  if (importable()) {
    return undefined;
  }
  if (process.env.PRETEXT_BENCH_NO_TORCH === '1') {
    return 'skipped (PRETEXT_BENCH_NO_TORCH=1)';
  }
  console.log('installing torch==2.13.0 (CPU) into .venv for the comparison ...');
  spawnSync(python, ['-m', 'pip', 'install', '--progress-bar', 'off', 'torch==2.13.0'], {
    stdio: 'inherit'
  });
  return importable() ? undefined : 'PyTorch could not be installed; comparison skipped';
}

interface TorchRun {
  rows: Row[];
  matmulGflops: number;
}

/**
 * The PyTorch step for both models, default and channels-last memory formats, under
 * OpenMP's default (spinning) wait policy and the passive one: on a shared, loaded machine
 * spinning OpenMP threads can be several times slower, so the ratios use PyTorch's best.
 */
function torchRun(batch: number): TorchRun | string {
  const missing = torchReady();
  if (missing) {
    return missing;
  }
  const python = join(ROOT, '.venv', 'bin', 'python');
  const script = join(__dirname, 'simclr_step_torch.py');
  const torchModels = MODEL_KEYS.map(k => MODELS[k].torch as string);
  const variants = [...torchModels, ...torchModels.map(v => `${v}-cl`), 'matmul'];
  const rows: Row[] = [];
  let matmulGflops = 0;
  for (const policy of ['default', 'PASSIVE']) {
    const env = { ...process.env };
    if (policy === 'PASSIVE') {
      env.OMP_WAIT_POLICY = 'PASSIVE';
    }
    const args = [script, String(batch), String(STEPS), String(THREADS), ...variants];
    const result = spawnSync(python, args, { encoding: 'utf8', env });
    if (result.status !== 0) {
      return `PyTorch run failed: ${result.stderr.trim().split('\n').at(-1)}`;
    }
    for (const line of result.stdout.trim().split('\n')) {
      const out = JSON.parse(line) as { variant: string; times_ms?: number[]; gflops?: number };
      if (out.gflops !== undefined) {
        matmulGflops = Math.max(matmulGflops, out.gflops);
        continue;
      }
      const format = out.variant.endsWith('-cl') ? ', channels-last' : '';
      const wait = policy === 'PASSIVE' ? ', OMP passive' : '';
      rows.push({
        model: Object.values(MODELS).find(m => m.torch === out.variant.replace(/-cl$/, ''))!.label,
        name: `PyTorch 2.13 CPU${format}${wait}`,
        times: out.times_ms!,
        torchFormat: format ? 'channels-last' : 'default'
      });
    }
  }
  return { rows, matmulGflops };
}

async function benchBatch(batchSize: number, onednnPooling: boolean): Promise<void> {
  const mnist = loadMnist({ perClass: Math.ceil(batchSize / 10) + 1 });
  const batch = tf.tidy(
    () => tf.slice(mnist.inputs, [0, 0, 0, 0], [batchSize, -1, -1, -1]) as Tensor4D
  );
  mnist.inputs.dispose();
  const off = () => uninstallNativeGradients(tf);
  const on = () => installNativeGradients(tf, { onednnPooling });
  // Views given as-is: the arithmetic the PyTorch step does (augmentation timed apart).
  const given = (key: ModelKey) =>
    simclr({
      encoder: buildEncoder(key),
      augment: images => images.clone(),
      temperature: 0.2,
      seed: 1
    });

  const rows: Row[] = [];
  const flops = new Map<string, number>();
  for (const key of MODEL_KEYS) {
    const model = MODELS[key].label;
    const [a, b, c] = [given(key), given(key), given(key)];
    flops.set(model, forwardFlops(a.encoder) + forwardFlops(a.head));
    const modes: StepMode[] = [];
    const [tfjsTimes, nativeTimes, engineTimes] = await alternate([
      { before: off, step: trainStep(a, batch, i => i) },
      { before: on, step: trainStep(b, batch, i => i) },
      { before: on, step: engineStep(c, batch, i => i, modes) }
    ]);
    rows.push({ model, name: "Pretext, tfjs's gradients", times: tfjsTimes, compared: true });
    rows.push({ model, name: 'Pretext, native gradients', times: nativeTimes, compared: true });
    const how = modes[0].compiled ? 'compiled step' : 'eager step';
    rows.push({
      model,
      name: `Pretext engine (${how}, fused Adam)`,
      times: engineTimes,
      compared: true
    });
    a.dispose();
    b.dispose();
    c.dispose();
  }
  on();
  const augment = simclrAugment();
  const full = simclr({
    encoder: convEncoder({ inputShape: [28, 28, 1], seed: 1 }),
    augment,
    temperature: 0.2,
    seed: 1
  });
  const [fullTimes, augmentTimes] = await alternate([
    { before: on, step: engineStep(full, batch, i => deriveSeed(0, i), []) },
    {
      before: on,
      step: async i => {
        const [v1, v2] = [augment(batch, deriveSeed(i, 1)), augment(batch, deriveSeed(i, 2))];
        await Promise.all([v1.data(), v2.data()]);
        tf.dispose([v1, v2]);
      }
    }
  ]);
  rows.push({ model: 'conv', name: 'Pretext engine, augmentation included', times: fullTimes });
  rows.push({ model: 'conv', name: 'Pretext augmentation alone (two views)', times: augmentTimes });
  full.dispose();
  batch.dispose();
  const tfjsPeak = tfjsMatmulGflops();

  const torch = torchRun(batchSize);
  if (typeof torch !== 'string') {
    rows.push(...torch.rows);
  }
  const bestTorch = (model: string, format?: string) => {
    const ms = rows
      .filter(r => r.model === model && r.torchFormat && (!format || r.torchFormat === format))
      .map(r => median(r.times));
    return ms.length ? Math.min(...ms) : undefined;
  };

  // Forward + two backward passes (input and weight gradients), over both views.
  const stepFlops = (model: string) => 3 * (flops.get(model) ?? 0) * 2 * batchSize;
  console.log(
    `\nSimCLR step, batch ${batchSize} (${2 * batchSize} views of 28x28x1), ${STEPS} timed steps after ${WARMUP} warm-up, ${THREADS} threads each`
  );
  console.log(
    'conv: conv[32,64,128] + max-pools + GAP, head 128-128-64; resnet: stem 16 + blocks 16/32/64 + GAP, head 64-64-64; NT-Xent t=0.2, Adam 1e-3'
  );
  const perStep = [...flops.keys()].map(m => `${m} ${(stepFlops(m) / 1e9).toFixed(1)}`);
  console.log(`GFLOP per step (3x forward): ${perStep.join(', ')}`);
  const torchPeak = typeof torch === 'string' ? undefined : torch.matmulGflops;
  console.log(
    `2048^2 matmul peak in this run: tfjs ${tfjsPeak.toFixed(0)} GFLOP/s` +
      (torchPeak ? `, PyTorch ${torchPeak.toFixed(0)} GFLOP/s` : '')
  );
  const header = ['model'.padEnd(12), 'variant'.padEnd(46), 'median ms', '  min ms'];
  const columns = [
    ' samples/s',
    ' vs PyTorch',
    ' vs best PyTorch',
    ' % matmul peak',
    ' x tfjs grads'
  ];
  console.log([...header, ...columns].join(' '));
  for (const r of rows) {
    const ms = median(r.times);
    const ratio = (ref: number | undefined) =>
      r.compared && ref ? `${(ms / ref).toFixed(2)}x` : '-';
    const peak = r.torchFormat ? torchPeak : tfjsPeak;
    const achieved = stepFlops(r.model) / (ms / 1000) / 1e9;
    const tfjsRow = rows.find(o => o.model === r.model && o.name === "Pretext, tfjs's gradients");
    const speedup =
      r.name === 'Pretext, native gradients' || r.name.startsWith('Pretext engine (')
        ? median(tfjsRow!.times) / ms
        : 0;
    console.log(
      [
        r.model.padEnd(12),
        r.name.padEnd(46),
        ms.toFixed(1).padStart(9),
        Math.min(...r.times)
          .toFixed(1)
          .padStart(8),
        (batchSize / (ms / 1000)).toFixed(0).padStart(10),
        ratio(bestTorch(r.model, 'default')).padStart(11),
        ratio(bestTorch(r.model)).padStart(16),
        (r.name.includes('augmentation') || !peak
          ? '-'
          : `${((100 * achieved) / peak).toFixed(0)}%`
        ).padStart(14),
        (speedup ? `${speedup.toFixed(2)}x` : '').padStart(13)
      ].join(' ')
    );
  }
  if (typeof torch === 'string') {
    console.log(`\nPyTorch: ${torch}`);
  }
}

async function main(): Promise<void> {
  const onednnPooling = onednnPoolingAvailable(tf);
  console.log(
    `tfjs backend: ${tf.getBackend()}; native gradients at load: ${nativeGradientState().kernels.length > 0 ? 'on' : 'off (PRETEXT_NATIVE_GRADIENTS=0)'}, oneDNN pooling: ${onednnPooling ? 'yes' : 'no'}, Conv2D layers: ${nativeGradientState().nativeConv ? (nativeGradientState().convWithBias ? 'oneDNN conv + bias op' : 'Conv2D + BiasAdd') : "tfjs's fused conv"}, native affine views (ImageProjectiveTransformV3): ${projectiveTransformAvailable(tf) ? 'yes' : 'no'}`
  );
  console.log(`transparent huge pages: ${hugePages()} (the same setting for both systems)`);
  console.log(
    `load average at start: ${loadavg()
      .map(l => l.toFixed(1))
      .join(' ')} (${THREADS} cores)`
  );
  // BENCH_MODELS=none (or empty) leaves no SimCLR rows to run.
  const simclrBatches = MODEL_KEYS.length > 0 ? BATCHES : [];
  for (const batchSize of simclrBatches) {
    await benchBatch(batchSize, onednnPooling);
  }
  if (simclrBatches.length > 0) {
    console.log(
      "\nvs PyTorch = median ms / PyTorch's median ms on the same model in its default memory format (the faster OpenMP wait policy); vs best PyTorch = against PyTorch's fastest row for the model (either format, either policy). Below 1: Pretext is faster."
    );
    console.log(
      "x tfjs grads = speed-up of the native-gradient layer over tfjs's own gradients, same run, steps alternated."
    );
  }
  await benchMethodSteps({
    methods: methodsFromEnv(),
    batches: process.env.BENCH_BATCH === undefined ? [64, 256] : BATCHES,
    steps: STEPS,
    warmup: WARMUP,
    threads: THREADS,
    onednnPooling,
    torchReady
  });
  if (E2E_SECONDS > 0) {
    await benchEndToEnd(E2E_SECONDS);
  }
}

void main();
