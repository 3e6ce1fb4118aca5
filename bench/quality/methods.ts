/**
 * Method benchmark: every image pretext task on MNIST-10k (80/20 split) at one training budget,
 * scored by kNN and a linear probe on frozen features at 1 / 10 / 100% of the pool's labels,
 * mean ± std over seeds, printed as a Markdown table with the command that made it.
 *
 *   npm run bench:methods                          # 60 s time budget per run, seeds 0 1 2
 *   npm run bench:methods -- --quiet-steps         # the steps 60 s buys on a quiet 2-core machine
 *   npm run bench:methods -- --epochs 2 --methods simclr,byol --seeds 0
 *   npm run bench:methods -- --measure             # seconds per step of each method (1 epoch)
 *
 * A time budget (`px.train`'s own `budget`) buys a different number of steps on a loaded
 * machine; `--quiet-steps` (or `--epochs N`) fixes the steps, so only the seconds change.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { tf, type Tensor4D } from '../../kernel/src/backend/tf';
import { simclrAugment } from '../../kernel/src/augment/compose';
import { splitForSsl, type SslSplit } from '../../kernel/src/data/dataset';
import { loadMnist } from '../../kernel/src/datasets/mnist';
import { embed } from '../../kernel/src/features/embed';
import { convEncoder } from '../../kernel/src/models/conv-encoder';
import { createTask } from '../../kernel/src/tasks/registry';
import { train } from '../../kernel/src/train/train';
import { deriveSeed } from '../../kernel/src/util/random';
import { FRACTIONS, frozenScores, meanStd, type FrozenScores } from './scoring';

const IMAGE_METHODS = ['simclr', 'moco', 'byol', 'vicreg', 'barlow', 'rotation', 'masked-image'];
const LABELS: Record<string, string> = {
  simclr: 'SimCLR',
  moco: 'MoCo v2',
  byol: 'BYOL',
  vicreg: 'VICReg',
  barlow: 'Barlow Twins',
  rotation: 'Rotation',
  'masked-image': 'Masked image',
  untrained: 'untrained encoder'
};
/**
 * Seconds per training step at batch 256 on a quiet 2-core machine (load < 1.5), measured
 * with `--measure` (one epoch of 31 steps, first epoch included): what turns the budget into
 * the fixed steps of `--quiet-steps`. Re-measure when the step gets faster.
 */
const QUIET_SECONDS_PER_STEP: Record<string, number> = {
  simclr: 0.33,
  moco: 0.329,
  byol: 0.441,
  vicreg: 0.257,
  barlow: 0.226,
  rotation: 0.34,
  'masked-image': 0.11
};

const { values: args } = parseArgs({
  options: {
    methods: { type: 'string', default: IMAGE_METHODS.join(',') },
    seeds: { type: 'string', default: '0,1,2' },
    budget: { type: 'string', default: '60' },
    epochs: { type: 'string' },
    'quiet-steps': { type: 'boolean', default: false },
    measure: { type: 'boolean', default: false },
    batch: { type: 'string', default: '256' },
    lr: { type: 'string', default: '0.001' },
    small: { type: 'boolean', default: false },
    out: { type: 'string' },
    /** Print the table of a results file written by --out (e.g. of a run cut short). */
    from: { type: 'string' }
  }
});
// '--methods none' scores only the untrained encoder (the floor), e.g. to complete a results file.
const METHODS = args.methods === 'none' ? [] : args.methods.split(',');
const SEEDS = args.seeds.split(',').map(Number);
const BUDGET = Number(args.budget);
const BATCH = Number(args.batch);
const LR = Number(args.lr);
for (const m of METHODS) {
  if (!IMAGE_METHODS.includes(m)) {
    throw new Error(`unknown image method ${m}: ${IMAGE_METHODS}`);
  }
}

interface RunScores extends FrozenScores {
  method: string;
  seed: number;
  steps: number;
  seconds: number;
}

/** Epochs for a fixed-step run: --epochs, or what the budget buys at the quiet step time. */
function fixedEpochs(method: string, stepsPerEpoch: number): number | undefined {
  if (args.epochs) {
    return Number(args.epochs);
  }
  if (!args['quiet-steps']) {
    return undefined;
  }
  const steps = BUDGET / QUIET_SECONDS_PER_STEP[method];
  return Math.max(1, Math.round(steps / stepsPerEpoch));
}

async function pretrain(
  method: string,
  images: Tensor4D,
  labels: Int32Array,
  split: SslSplit<Tensor4D>,
  seed: number
): Promise<RunScores> {
  const encoder = convEncoder({ inputShape: [28, 28, 1], seed: deriveSeed(seed, 1) });
  const stepsPerEpoch = Math.floor(split.unlabeled.inputs.shape[0] / BATCH);
  const epochs = args.measure ? 1 : fixedEpochs(method, stepsPerEpoch);
  const usesAugment = !['rotation', 'masked-image'].includes(method);
  const task = createTask(method, {
    encoder,
    seed: deriveSeed(seed, 2),
    ...(usesAugment ? { augment: simclrAugment() } : {}),
    // BYOL's target momentum rises to 1 over the run when the run's length is known.
    ...(method === 'byol' && epochs !== undefined ? { totalSteps: epochs * stepsPerEpoch } : {})
  });
  try {
    const run = await train(task, split.unlabeled, {
      ...(epochs !== undefined ? { epochs } : { budget: BUDGET }),
      batchSize: BATCH,
      learningRate: LR,
      seed,
      schedule: { kind: 'cosine', warmupEpochs: 1 },
      display: false,
      runStore: false,
      // A benchmark measures what each method learns, collapse included, rather than stopping.
      divergenceGuard: 'warn'
    });
    const features = embed(encoder, images);
    try {
      const pool = split.indices.unlabeled;
      const scores = args.measure
        ? { knn: [], probe: [] }
        : frozenScores(features, labels, pool, split.indices.test, 10, seed);
      return { method, seed, steps: run.history.length, seconds: run.seconds, ...scores };
    } finally {
      features.dispose();
    }
  } finally {
    task.dispose?.();
    encoder.dispose();
  }
}

function untrainedScores(
  images: Tensor4D,
  labels: Int32Array,
  split: SslSplit<Tensor4D>,
  seed: number
): RunScores {
  const encoder = convEncoder({ inputShape: [28, 28, 1], seed: deriveSeed(seed, 1) });
  const features = embed(encoder, images);
  try {
    const pool = split.indices.unlabeled;
    const scores = frozenScores(features, labels, pool, split.indices.test, 10, seed);
    return { method: 'untrained', seed, steps: 0, seconds: 0, ...scores };
  } finally {
    features.dispose();
    encoder.dispose();
  }
}

function table(results: RunScores[], command: string, n: number): string {
  const fr = FRACTIONS.map(f => `${f * 100}%`);
  const lines = [
    `MNIST ${n} images, 80/20 split; conv[32,64,128]+GAP encoder; Adam ${LR}, 1-epoch warmup + cosine, batch ${BATCH}; ` +
      `${args.epochs ? `${args.epochs} epochs` : args['quiet-steps'] ? `the steps ${BUDGET} s buys on a quiet 2-core machine` : `${BUDGET} s time budget`} per run; ` +
      `frozen features: kNN (k = min(20, labels per class), cosine, similarity-weighted) and linear probe (unit-length rows, L2 tuned on a held-out 20%) on class-balanced label subsets of the pool; ` +
      `mean ± std over seeds [${[...new Set(results.map(r => r.seed))].join(', ')}]; ${cpus().length} CPU threads, tfjs backend ${tf.getBackend()}.`,
    `Command: \`${command}\``,
    '',
    `| method | ${fr.map(f => `kNN ${f}`).join(' | ')} | ${fr.map(f => `probe ${f}`).join(' | ')} | steps | train s |`,
    `|---|${'---|'.repeat(2 * fr.length + 2)}`
  ];
  for (const method of [...METHODS, 'untrained']) {
    const runs = results.filter(r => r.method === method);
    if (runs.length === 0) {
      continue;
    }
    const cell = (key: 'knn' | 'probe', k: number) => meanStd(runs.map(r => r[key][k]));
    const steps = [...new Set(runs.map(r => r.steps))].join('/');
    const secs = Math.round(runs.reduce((a, r) => a + r.seconds, 0) / runs.length);
    lines.push(
      `| ${LABELS[method]} | ${FRACTIONS.map((_, k) => cell('knn', k)).join(' | ')} | ` +
        `${FRACTIONS.map((_, k) => cell('probe', k)).join(' | ')} | ${steps} | ${secs} |`
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (args.from) {
    const results = readFileSync(args.from, 'utf8')
      .split('\n')
      .filter(line => line.trim() !== '')
      .map(line => JSON.parse(line) as RunScores);
    console.log(
      table(results, `npm run bench:methods -- ${process.argv.slice(2).join(' ')}`, 10000)
    );
    return;
  }
  const mnist = loadMnist(args.small ? { perClass: 300 } : {});
  const images = mnist.inputs as Tensor4D;
  const labels = mnist.labels!;
  const split = splitForSsl(mnist as never, { testFraction: 0.2, seed: 0 }) as SslSplit<Tensor4D>;
  const results: RunScores[] = [];
  for (const seed of SEEDS) {
    for (const method of METHODS) {
      const started = performance.now();
      const r = await pretrain(method, images, labels, split, seed);
      results.push(r);
      if (args.out) {
        appendFileSync(args.out, JSON.stringify(r) + '\n');
      }
      const scores = args.measure
        ? `${((r.seconds / r.steps) * 1000).toFixed(0)} ms/step`
        : `kNN ${r.knn.map(x => (x * 100).toFixed(1)).join('/')}, probe ${r.probe.map(x => (x * 100).toFixed(1)).join('/')}`;
      console.log(
        `${method} seed ${seed}: ${r.steps} steps in ${r.seconds.toFixed(0)} s (${((performance.now() - started) / 1000).toFixed(0)} s with scoring); ${scores}`
      );
    }
    if (args.measure) {
      continue;
    }
    const floor = untrainedScores(images, labels, split, seed);
    results.push(floor);
    if (args.out) {
      appendFileSync(args.out, JSON.stringify(floor) + '\n');
    }
  }
  if (args.measure) {
    return;
  }
  const command = `npm run bench:methods -- ${process.argv.slice(2).join(' ')}`.trim();
  console.log('\n' + table(results, command, images.shape[0]));
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
