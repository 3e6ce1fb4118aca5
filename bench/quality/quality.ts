/**
 * Quality benchmark: SimCLR on MNIST-10k (80/20 split) at a fixed training time, then a linear
 * probe on frozen features at 1 / 10 / 100% of the pool's labels, over seeds; in the same run,
 * a PyTorch reference of the same encoder, recipe, split and time budget, whose features are
 * probed by the same Pretext probe on the same label subsets. Prints both and the ratio.
 *
 *   npm run bench:quality                    # 240 s per run, seeds 0 1 2 (about 30 minutes)
 *   npm run bench:quality -- --small         # 3,000 images, 30 s, seed 0 (about 2-3 minutes)
 *   npm run bench:quality -- --seconds 60 --seeds 0 --preset classic --no-torch
 *   npm run bench:quality -- --epochs 3 --no-torch --augment '{"noise": false}'   # ablations
 *
 * PyTorch is used only here: when `.venv` cannot import torch, the bench installs torch==2.13.0
 * (CPU) into it. The time budget is px.train's own `budget` (it plans the steps, runs warmup +
 * cosine over them and stops at the budget); `--epochs N` fixes the steps instead, for
 * ablations on a shared machine. Recipe knobs for ablations (left out: SimCLR's defaults):
 * --temperature, --lr, --head-bn (both systems), --projection-dim, --hidden-dim,
 * --warmup-epochs, --encoder '<convEncoder options as JSON>', --augment (Pretext only).
 * PRETEXT_QUALITY_FEATURES=<prefix> writes each seed's features to <prefix>-<seed>.f32.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { tf, type Tensor2D, type Tensor4D } from '../../kernel/src/backend/tf';
import {
  simclrAugment,
  type SimclrAugmentOptions,
  type SimclrPreset
} from '../../kernel/src/augment/compose';
import { splitForSsl } from '../../kernel/src/data/dataset';
import { loadMnist } from '../../kernel/src/datasets/mnist';
import { embed } from '../../kernel/src/features/embed';
import { convEncoder, type ConvEncoderOptions } from '../../kernel/src/models/conv-encoder';
import { simclr, SIMCLR_DEFAULTS, SIMCLR_TRAIN_DEFAULTS } from '../../kernel/src/tasks/simclr';
import { train } from '../../kernel/src/train/train';
import { deriveSeed } from '../../kernel/src/util/random';
import { FRACTIONS, frozenScores, mean, pct, std } from './scoring';

const ROOT = resolve(__dirname, '..', '..');
const { values: args } = parseArgs({
  options: {
    small: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    seeds: { type: 'string' },
    preset: { type: 'string', default: 'auto' },
    augment: { type: 'string' },
    epochs: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    batch: { type: 'string', default: '256' },
    lr: { type: 'string' },
    temperature: { type: 'string' },
    'projection-dim': { type: 'string' },
    'hidden-dim': { type: 'string' },
    'warmup-epochs': { type: 'string', default: '1' },
    encoder: { type: 'string' },
    'head-bn': { type: 'boolean', default: false }
  }
});
const SMALL = args.small;
const SECONDS = Number(args.seconds ?? (SMALL ? 30 : 240));
const SEEDS = (args.seeds ?? (SMALL ? '0' : '0,1,2')).split(',').map(Number);
const BATCH = Number(args.batch);
// Left out, SimCLR's own defaults: what a user gets from px.simclr + px.train.
const LR = args.lr ? Number(args.lr) : SIMCLR_TRAIN_DEFAULTS.learningRate;
const THREADS = cpus().length;
const TEMPERATURE = args.temperature ? Number(args.temperature) : SIMCLR_DEFAULTS.temperature;
const WARMUP_EPOCHS = Number(args['warmup-epochs']);
const ENCODER = args.encoder ? (JSON.parse(args.encoder) as Partial<ConvEncoderOptions>) : {};

interface Scores {
  /** Probe accuracy per fraction. */
  accuracy: number[];
  steps: number;
  seconds: number;
}

/** Linear-probe accuracy per label fraction, on the same class-balanced subsets of the pool. */
function probeAll(
  features: Tensor2D,
  labels: Int32Array,
  pool: Int32Array,
  test: Int32Array,
  seed: number
): number[] {
  return frozenScores(features, labels, pool, test, 10, seed, { knn: false }).probe;
}

async function pretext(
  images: Tensor4D,
  labels: Int32Array,
  split: ReturnType<typeof splitForSsl<Tensor4D>>,
  seed: number
): Promise<Scores> {
  const augment = simclrAugment({
    preset: args.preset as SimclrPreset,
    ...(args.augment ? (JSON.parse(args.augment) as SimclrAugmentOptions) : {})
  });
  const encoder = convEncoder({
    ...ENCODER,
    inputShape: [28, 28, 1],
    seed: deriveSeed(seed, 1)
  });
  const task = simclr({
    encoder,
    augment,
    temperature: TEMPERATURE,
    seed: deriveSeed(seed, 2),
    ...(args['projection-dim'] ? { projectionDim: Number(args['projection-dim']) } : {}),
    ...(args['hidden-dim'] ? { hiddenDim: Number(args['hidden-dim']) } : {}),
    ...(args['head-bn'] ? { headBatchNorm: true } : {})
  });
  // px.train's own budget plans the steps from its measured speed; --epochs fixes them.
  const run = await train(task, split.unlabeled, {
    ...(args.epochs ? { epochs: Number(args.epochs) } : { budget: SECONDS }),
    batchSize: BATCH,
    learningRate: LR,
    seed,
    schedule: { kind: 'cosine', warmupEpochs: WARMUP_EPOCHS },
    display: false,
    runStore: false
  });
  const features = embed(encoder, images);
  // For probe studies on the same features without retraining (not part of the table).
  const dump = process.env.PRETEXT_QUALITY_FEATURES;
  if (dump) {
    writeFileSync(`${dump}-${seed}.f32`, features.dataSync());
  }
  try {
    return {
      accuracy: probeAll(features, labels, split.indices.unlabeled, split.indices.test, seed),
      steps: run.history.length,
      seconds: run.seconds
    };
  } finally {
    features.dispose();
    task.dispose?.();
    encoder.dispose();
  }
}

function ensureTorch(python: string): string | undefined {
  const importable = () =>
    spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
  if (importable()) {
    return undefined;
  }
  console.log('installing torch==2.13.0 (CPU) into .venv for the reference ...');
  spawnSync(python, ['-m', 'pip', 'install', '--progress-bar', 'off', 'torch==2.13.0'], {
    stdio: 'inherit'
  });
  return importable() ? undefined : 'PyTorch could not be installed; reference skipped';
}

function torchRun(
  dir: string,
  n: number,
  labels: Int32Array,
  split: ReturnType<typeof splitForSsl<Tensor4D>>,
  seed: number
): Scores | string {
  const python = join(ROOT, '.venv', 'bin', 'python');
  const problem = ensureTorch(python);
  if (problem) {
    return problem;
  }
  const out = join(dir, `torch-features-${seed}.f32`);
  const result = spawnSync(
    python,
    [
      join(__dirname, 'simclr_torch.py'),
      ...['--images', join(dir, 'images.f32'), '--pool', join(dir, 'pool.i32')],
      ...['--n', String(n), '--seconds', String(SECONDS), '--seed', String(seed)],
      ...['--batch', String(BATCH), '--lr', String(LR), '--threads', String(THREADS)],
      ...['--features', out, '--temperature', String(TEMPERATURE)],
      ...(args.epochs ? ['--epochs', args.epochs] : []),
      ...(args['head-bn'] ? ['--head-bn'] : [])
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }
  );
  if (result.status !== 0) {
    return `PyTorch run failed (exit ${result.status})`;
  }
  const info = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
    steps: number;
    seconds: number;
    dim: number;
  };
  const buffer = readFileSync(out);
  const features = tf.tensor2d(
    new Float32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4),
    [n, info.dim]
  );
  try {
    return {
      accuracy: probeAll(features, labels, split.indices.unlabeled, split.indices.test, seed),
      steps: info.steps,
      seconds: info.seconds
    };
  } finally {
    features.dispose();
  }
}

async function main(): Promise<void> {
  const mnist = loadMnist(SMALL ? { perClass: 300 } : {});
  const images = mnist.inputs as Tensor4D;
  const labels = mnist.labels!;
  const n = images.shape[0];
  const split = splitForSsl(mnist as never, { testFraction: 0.2, seed: 0 }) as ReturnType<
    typeof splitForSsl<Tensor4D>
  >;
  const dir = mkdtempSync(join(tmpdir(), 'pretext-quality-'));
  writeFileSync(join(dir, 'images.f32'), images.dataSync() as Float32Array);
  writeFileSync(join(dir, 'pool.i32'), split.indices.unlabeled);
  const rows: { name: string; scores: Scores[] }[] = [
    { name: `Pretext SimCLR (preset '${args.preset}'${args.augment ?? ''})`, scores: [] },
    { name: 'PyTorch reference (same recipe)', scores: [] }
  ];
  let torchNote: string | undefined;
  try {
    for (const seed of SEEDS) {
      const ours = await pretext(images, labels, split, seed);
      rows[0].scores.push(ours);
      console.log(`seed ${seed} Pretext: ${ours.accuracy.map(pct).join(' / ')}%`);
      if (args['no-torch'] || torchNote) {
        continue;
      }
      const theirs = torchRun(dir, n, labels, split, seed);
      if (typeof theirs === 'string') {
        torchNote = theirs;
      } else {
        rows[1].scores.push(theirs);
        console.log(`seed ${seed} PyTorch: ${theirs.accuracy.map(pct).join(' / ')}%`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(
    `\nQuality benchmark: MNIST ${n} images, 80/20 split (pool ${split.indices.unlabeled.length}, test ${split.indices.test.length}); ` +
      `SimCLR, conv encoder ${JSON.stringify({ filters: [32, 64, 128], ...ENCODER })}+GAP, head ${args['hidden-dim'] ?? 'feature'}${args['head-bn'] ? '-BN' : ''}-${args['projection-dim'] ?? 64}, NT-Xent t=${TEMPERATURE}, Adam ${LR}, ${WARMUP_EPOCHS}-epoch warmup + cosine, batch ${BATCH}, ` +
      `${args.epochs ? `${args.epochs} epochs` : `a ${SECONDS} s budget (px.train's own)`} of training per run on ${THREADS} CPU threads (tfjs backend ${tf.getBackend()}); ` +
      `linear probe on frozen features (Pretext's linearProbe: unit-length rows, L2 tuned on a held-out 20%), same class-balanced subsets for both; seeds [${SEEDS.join(', ')}].\n` +
      `Command: npm run bench:quality -- ${process.argv.slice(2).join(' ')}\n`
  );
  const header = ['method'.padEnd(40), ...FRACTIONS.map(f => `${f * 100}% labels`.padStart(16))];
  console.log([...header, '   steps', ' train s'].join(' '));
  for (const row of rows) {
    if (row.scores.length === 0) {
      continue;
    }
    const cells = FRACTIONS.map((_, k) => {
      const xs = row.scores.map(s => s.accuracy[k]);
      return `${pct(mean(xs))} ± ${pct(std(xs))}`.padStart(16);
    });
    const steps = mean(row.scores.map(s => s.steps))
      .toFixed(0)
      .padStart(8);
    const secs = mean(row.scores.map(s => s.seconds))
      .toFixed(0)
      .padStart(8);
    console.log([row.name.padEnd(40), ...cells, steps, secs].join(' '));
  }
  if (rows[1].scores.length > 0) {
    const ratio = FRACTIONS.map((_, k) => {
      const a = mean(rows[0].scores.map(s => s.accuracy[k]));
      const b = mean(rows[1].scores.map(s => s.accuracy[k]));
      return `${(a / b).toFixed(3)}`.padStart(16);
    });
    console.log(['ratio Pretext / PyTorch'.padEnd(40), ...ratio].join(' '));
  } else {
    console.log(`PyTorch reference: ${torchNote ?? 'skipped (--no-torch)'}`);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
