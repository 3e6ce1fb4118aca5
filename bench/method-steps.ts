/**
 * Per-method training-step rows for `npm run bench` (run from bench/simclr-step.ts after its
 * SimCLR rows): MoCo, BYOL, masked image, MLM, SCARF and series-contrastive, each the task
 * createTask() builds by default on the default encoder of its modality, against the same
 * model, loss and optimiser in PyTorch CPU (bench/method_steps_torch.py), in the same run.
 *
 *   BENCH_METHODS=moco,mlm npm run bench     # of the methods below (default all; none: skip)
 *   BENCH_BATCH=64,256 npm run bench         # batches of these rows (default 64,256 when unset)
 *
 * Inputs are real and shaped as the product uses them: MNIST 28x28x1 digits (image methods),
 * SpamAssassin e-mails as WordPiece-4000 ids of 64 tokens (MLM, as bench/quality/modalities.ts),
 * the vega-datasets movies table (SCARF) and standardised 64-step windows of the simulated
 * sensors (series). Like-for-like: the view methods (MoCo, BYOL, series-contrastive) get their
 * views pre-made on both sides (`augment: x => x.clone()`, as the SimCLR rows); the masking that
 * is part of a loss (masked patches, BERT's token masking, SCARF's corruption) is done inside
 * the step on both sides at the same rates. A step is what the engine does: Adam at 1e-3 with
 * the engine's optimiser, loss + gradients + update, afterStep() (momentum targets, MoCo's
 * queue) and the loss read back. Native gradients are on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as px from '../kernel/src/index';
import { tf, type LayersModel, type Tensor, type Tensor2D } from '../kernel/src/backend/tf';
import { installNativeGradients } from '../kernel/src/backend/native/install';
import { loadMnist } from '../kernel/src/datasets/mnist';
import { MASK_ID, NUM_SPECIAL } from '../kernel/src/text/tokenizer';
import type { PretextTask } from '../kernel/src/tasks/task';
import { createOptimizer } from '../kernel/src/train/optimizers';
import { StepGradientEngine, type StepMode } from '../kernel/src/train/step-gradients';
import { deriveSeed } from '../kernel/src/util/random';

const ROOT = resolve(__dirname, '..');
const LEARNING_RATE = 1e-3;
const WINDOW = 64;

export const METHOD_KEYS = [
  'moco',
  'byol',
  'masked-image',
  'mlm',
  'scarf',
  'series-contrastive'
] as const;
export type MethodKey = (typeof METHOD_KEYS)[number];

/** How each method's steps ran (compiled or eager, and why), printed under the table. */
const stepModes = new Map<string, StepMode>();

/** The methods BENCH_METHODS names (unset: all; 'none' or empty: none). */
export function methodsFromEnv(value = process.env.BENCH_METHODS): MethodKey[] {
  if (value === undefined) {
    return [...METHOD_KEYS];
  }
  const names = value
    .split(',')
    .map(s => s.trim())
    .filter(s => s !== '' && s !== 'none');
  const unknown = names.filter(n => !(METHOD_KEYS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_METHODS: unknown method(s) ${unknown.join(', ')}; known: ${METHOD_KEYS.join(', ')}, or none.`
    );
  }
  return names as MethodKey[];
}

export interface MethodBenchOptions {
  methods: MethodKey[];
  batches: number[];
  steps: number;
  warmup: number;
  threads: number;
  onednnPooling: boolean;
  /** simclr-step.ts's check: undefined when .venv imports torch, else why not. */
  torchReady: () => string | undefined;
}

/** The inputs every method slices its batch from (at least the largest batch of rows each). */
interface Inputs {
  images: Tensor;
  tokens: Tensor2D;
  vocabSize: number;
  tokenizer: px.WordPieceTokenizer;
  rows: Tensor2D;
  groups: number[];
  windows: Tensor;
}

function loadInputs(rows: number): Inputs {
  const mnist = loadMnist({ perClass: Math.ceil(rows / 10) + 1 });
  const corpus = px.loadSpamAssassin({ perClass: Math.max(500, rows), seed: 0 });
  const tokenizer = px.trainTokenizer(corpus.texts, { vocabSize: 4000, maxLength: 64 });
  const text = px.textDataset(corpus, tokenizer);
  const movies = px.loadTable(px.vegaData('movies.json'), {
    label: 'Major Genre',
    columns: { Distributor: 'categorical' }
  });
  // Enough steps for the windows the largest batch needs (stride 16, as the catalog's snippet).
  const normal = px.sensorSeries({ steps: Math.max(12000, 16 * rows + 2 * WINDOW), seed: 1 });
  const raw = px.windowSeries(normal, { length: WINDOW, stride: 16 });
  const standardized = px.fitStandardizer(raw).transform(raw);
  const inputs: Inputs = {
    images: mnist.inputs,
    tokens: text.inputs as Tensor2D,
    vocabSize: tokenizer.vocabSize,
    tokenizer,
    rows: movies.inputs as Tensor2D,
    groups: Array.from(movies.schema.groups),
    windows: standardized.inputs
  };
  px.disposeDataset(raw);
  for (const [what, t] of Object.entries(inputs)) {
    if (t instanceof tf.Tensor && t.shape[0] < rows) {
      throw new Error(`method bench: only ${t.shape[0]} rows of ${what} for batch ${rows}.`);
    }
  }
  return inputs;
}

/** Views given as-is, so both frameworks do the same arithmetic (augmentation is not timed). */
const given = (x: Tensor) => x.clone();

/** Pretext's task for `key` as createTask builds it, on the modality's default encoder. */
function buildTask(key: MethodKey, inputs: Inputs): { task: PretextTask; encoder: LayersModel } {
  const image = () => px.convEncoder({ inputShape: [28, 28, 1], seed: 1 });
  let encoder: LayersModel;
  let task: PretextTask;
  switch (key) {
    case 'moco':
    case 'byol':
      encoder = image();
      task = px.createTask(key, { encoder, augment: given, seed: 1 });
      break;
    case 'masked-image':
      encoder = image();
      task = px.createTask(key, { encoder, seed: 1 });
      break;
    case 'mlm':
      encoder = px.transformerEncoder({
        vocabSize: inputs.vocabSize,
        maxLength: inputs.tokens.shape[1],
        seed: 1
      });
      task = px.createTask(key, { encoder, tokenizer: inputs.tokenizer, seed: 1 });
      break;
    case 'scarf':
      encoder = px.mlpEncoder({ inputDim: inputs.rows.shape[1], hidden: [256, 256], seed: 1 });
      task = px.createTask(key, { encoder, groups: inputs.groups, seed: 1 });
      break;
    case 'series-contrastive':
      encoder = px.conv1dEncoder({ inputShape: [WINDOW, 3], seed: 1 });
      task = px.createTask(key, { encoder, augment: given, seed: 1 });
      break;
  }
  return { task, encoder };
}

function inputOf(key: MethodKey, inputs: Inputs): Tensor {
  switch (key) {
    case 'moco':
    case 'byol':
    case 'masked-image':
      return inputs.images;
    case 'mlm':
      return inputs.tokens;
    case 'scarf':
      return inputs.rows;
    case 'series-contrastive':
      return inputs.windows;
  }
}

const firstRows = (t: Tensor, n: number) =>
  tf.tidy(() => tf.slice(t, Array(t.rank).fill(0), [n, ...Array(t.rank - 1).fill(-1)]));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Times `steps` engine-style training steps after `warmup` untimed ones: ms each, and the
 * first step's loss (compared with the twin's, a check that both compute the same objective).
 */
async function timeSteps(
  task: PretextTask,
  batch: Tensor,
  warmup: number,
  steps: number
): Promise<{ times: number[]; firstLoss: number }> {
  const optimizer = createOptimizer('adam', LEARNING_RATE, 0);
  const variables = task.trainableVariables();
  // The engine's own step: compiled into one TF function where the task allows (PRETEXT_GRAPH=0: eager).
  const gradients = new StepGradientEngine(task, variables, true);
  const times: number[] = [];
  let firstLoss = NaN;
  try {
    for (let i = 0; i < warmup + steps; i++) {
      const started = performance.now();
      const { value: loss, grads, norm } = gradients.compute(batch, deriveSeed(0, i));
      tf.tidy(() => optimizer.apply(variables, grads));
      tf.dispose([...Object.values(grads), norm]);
      if (task.afterStep) {
        tf.tidy(() => task.afterStep!(i + 1));
      }
      const [value] = await loss.data();
      loss.dispose();
      if (!Number.isFinite(value)) {
        throw new Error(`method bench: ${task.method} loss is ${value} at step ${i}.`);
      }
      if (i === 0) {
        firstLoss = value;
      }
      if (i >= warmup) {
        times.push(performance.now() - started);
      }
    }
  } finally {
    optimizer.dispose();
    gradients.dispose();
  }
  stepModes.set(task.method, gradients.mode);
  return { times, firstLoss };
}

interface TorchRow {
  method: MethodKey;
  params: number;
  times: number[];
  firstLoss: number;
  /** The OpenMP wait policy and memory format of PyTorch's fastest run. */
  policy: 'default' | 'passive';
  channelsLast: boolean;
}

/** Methods on 2-D convolutions, which PyTorch also runs in channels-last memory format. */
const IMAGE_METHODS: readonly MethodKey[] = ['moco', 'byol', 'masked-image'];

/**
 * The same inputs for the PyTorch twins: MLM's ids (how many tokens are real sets how many are
 * masked), SCARF's rows and groups, and the images and windows (so the first losses compare).
 */
function writeTorchInputs(dir: string, inputs: Inputs, rows: number): string {
  const file = join(dir, 'method-inputs.json');
  const [tokens, table, images, windows] = [
    inputs.tokens,
    inputs.rows,
    inputs.images,
    inputs.windows
  ].map(t => firstRows(t, rows));
  writeFileSync(
    file,
    JSON.stringify({
      images: images.arraySync(),
      windows: windows.arraySync(),
      vocab_size: inputs.vocabSize,
      mask_id: MASK_ID,
      num_special: NUM_SPECIAL,
      token_ids: tokens.arraySync(),
      table_rows: table.arraySync(),
      groups: inputs.groups
    })
  );
  tf.dispose([tokens, table, images, windows]);
  return file;
}

/**
 * The PyTorch twins at one batch, under OpenMP's default (spinning) wait policy and the
 * passive one (spinning threads lose badly on a shared machine), image methods in both memory
 * formats, keeping each method's fastest run.
 */
function torchRows(
  options: MethodBenchOptions,
  batch: number,
  inputsFile: string
): TorchRow[] | string {
  const missing = options.torchReady();
  if (missing) {
    return missing;
  }
  const python = join(ROOT, '.venv', 'bin', 'python');
  const script = join(__dirname, 'method_steps_torch.py');
  const best = new Map<MethodKey, TorchRow>();
  for (const policy of ['default', 'PASSIVE']) {
    const env = { ...process.env, ...(policy === 'PASSIVE' ? { OMP_WAIT_POLICY: policy } : {}) };
    const args = [
      script,
      String(batch),
      String(options.steps),
      String(options.warmup),
      String(options.threads),
      inputsFile,
      ...options.methods,
      ...options.methods.filter(m => IMAGE_METHODS.includes(m)).map(m => `${m}-cl`)
    ];
    const result = spawnSync(python, args, { encoding: 'utf8', env });
    if (result.status !== 0) {
      return `PyTorch run failed: ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`;
    }
    for (const line of result.stdout.trim().split('\n')) {
      const out = JSON.parse(line) as {
        method: string;
        params: number;
        times_ms: number[];
        first_loss: number;
      };
      const row: TorchRow = {
        method: out.method.replace(/-cl$/, '') as MethodKey,
        params: out.params,
        times: out.times_ms,
        firstLoss: out.first_loss,
        policy: policy === 'PASSIVE' ? 'passive' : 'default',
        channelsLast: out.method.endsWith('-cl')
      };
      const kept = best.get(row.method);
      if (!kept || median(row.times) < median(kept.times)) {
        best.set(row.method, row);
      }
    }
  }
  return [...best.values()];
}

/** What each method is, for the header. */
const DESCRIPTIONS: Record<MethodKey, string> = {
  moco: 'conv[32,64,128] + GAP, head 128-128-64, key EMA 0.99, queue 4096, InfoNCE t=0.2',
  byol: 'conv[32,64,128] + GAP, projector 128-256-64, predictor 64-256-64, target EMA 0.99',
  'masked-image': 'conv[32,64,128] + GAP, decoder 128-256-784 sigmoid, 4px patches 50% masked',
  mlm: 'transformer dim 64, 2 blocks, 4 heads, ffn 128, 64 tokens, vocab 4000, 15% masked (80/10/10)',
  scarf: 'MLP 256-256 on the movies table, head 256-256-64, 60% of groups corrupted, NT-Xent t=1',
  'series-contrastive':
    'conv1d[32,64,64] k5 on 64x3 windows, avg+max pool, head 128-128-64, NT-Xent t=0.2'
};

interface Row {
  method: MethodKey;
  batch: number;
  times: number[];
  firstLoss: number;
  params: number;
  torch?: TorchRow;
}

/** Runs the method rows at each batch and prints their table. */
export async function benchMethodSteps(options: MethodBenchOptions): Promise<void> {
  const { methods, batches } = options;
  if (methods.length === 0 || batches.length === 0) {
    return;
  }
  installNativeGradients(tf, { onednnPooling: options.onednnPooling });
  const started = performance.now();
  const inputs = loadInputs(Math.max(...batches));
  const dir = mkdtempSync(join(tmpdir(), 'pretext-method-bench-'));
  const rows: Row[] = [];
  const notes: string[] = [];
  let torchSeconds = 0;
  try {
    const inputsFile = writeTorchInputs(dir, inputs, Math.max(...batches));
    for (const batchSize of batches) {
      for (const method of methods) {
        const { task, encoder } = buildTask(method, inputs);
        const batch = firstRows(inputOf(method, inputs), batchSize);
        const params = task.trainableVariables().reduce((n, v) => n + v.size, 0);
        try {
          const timed = await timeSteps(task, batch, options.warmup, options.steps);
          rows.push({ method, batch: batchSize, ...timed, params });
        } finally {
          batch.dispose();
          task.dispose();
          encoder.dispose();
        }
      }
      const torchStarted = performance.now();
      const torch = torchRows(options, batchSize, inputsFile);
      torchSeconds += (performance.now() - torchStarted) / 1000;
      if (typeof torch === 'string') {
        notes.push(`batch ${batchSize}: ${torch}`);
        continue;
      }
      for (const t of torch) {
        rows.find(r => r.batch === batchSize && r.method === t.method)!.torch = t;
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    tf.dispose(Object.values(inputs).filter(v => v instanceof tf.Tensor) as Tensor[]);
  }
  const seconds = (performance.now() - started) / 1000;
  printTable(options, rows, notes, { seconds, torchSeconds });
  const mismatched = rows.filter(r => r.torch && r.torch.params !== r.params);
  if (mismatched.length > 0) {
    throw new Error(
      `method bench: the PyTorch twins do not match Pretext's models: ${mismatched
        .map(r => `${r.method} ${r.params} vs ${r.torch!.params} parameters`)
        .join(', ')}.`
    );
  }
}

function printTable(
  options: MethodBenchOptions,
  rows: Row[],
  notes: string[],
  took: { seconds: number; torchSeconds: number }
) {
  console.log(
    `\nMethod steps (Pretext's default task + encoder per method, native gradients, Adam ${LEARNING_RATE}), ${options.steps} timed steps after ${options.warmup} warm-up, ${options.threads} threads each; section took ${took.seconds.toFixed(0)} s (PyTorch's runs ${took.torchSeconds.toFixed(0)} s of it); load average now ${loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}`
  );
  console.log(
    'Views pre-made on both sides (augmentation not timed); masking / corruption inside the step on both sides at the same rates. PyTorch: its fastest run of both OpenMP wait policies and, for the 2-D conv methods, both memory formats (CL: channels-last).'
  );
  for (const method of options.methods) {
    console.log(`  ${method}: ${DESCRIPTIONS[method]}`);
  }
  const header = [
    'method'.padEnd(19),
    'batch'.padStart(5),
    'median ms'.padStart(10),
    'samples/s'.padStart(10),
    'PyTorch ms'.padStart(11),
    'PyTorch/s'.padStart(10),
    'ratio'.padStart(7),
    'params'.padStart(9),
    'PyTorch params'.padStart(15),
    'PyTorch run'.padStart(12),
    'first loss'.padStart(15)
  ];
  console.log(header.join(' '));
  for (const r of rows) {
    const ms = median(r.times);
    const torchMs = r.torch ? median(r.torch.times) : undefined;
    const params = r.torch
      ? `${r.torch.params}${r.torch.params === r.params ? '' : ' MISMATCH'}`
      : '-';
    console.log(
      [
        r.method.padEnd(19),
        String(r.batch).padStart(5),
        ms.toFixed(1).padStart(10),
        (r.batch / (ms / 1000)).toFixed(0).padStart(10),
        (torchMs ? torchMs.toFixed(1) : '-').padStart(11),
        (torchMs ? (r.batch / (torchMs / 1000)).toFixed(0) : '-').padStart(10),
        (torchMs ? `${(ms / torchMs).toFixed(2)}x` : '-').padStart(7),
        String(r.params).padStart(9),
        params.padStart(15),
        (r.torch ? `${r.torch.policy}${r.torch.channelsLast ? ', CL' : ''}` : '-').padStart(12),
        `${r.firstLoss.toFixed(2)} / ${r.torch ? r.torch.firstLoss.toFixed(2) : '-'}`.padStart(15)
      ].join(' ')
    );
  }
  console.log(
    "ratio = Pretext median ms / PyTorch median ms (below 1: Pretext is faster); params = trainable parameters (Adam's list) on each side, which must be equal; first loss = the first step's loss, Pretext / PyTorch (other random weights, the same objective: close, not equal)."
  );
  for (const [method, mode] of stepModes) {
    console.log(
      `Pretext ${method} steps: ${mode.compiled ? `compiled (one TF function, ${mode.ops} ops)` : `eager (${mode.reason})`}`
    );
  }
  for (const note of notes) {
    console.log(`PyTorch: ${note}`);
  }
}
