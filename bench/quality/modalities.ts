/**
 * The method benchmark for text, tables and sensor series, each at its own budget and with its
 * own downstream metric, against the same architecture untrained (and the raw inputs):
 *
 * - text: MLM on SpamAssassin e-mails (WordPiece 4,000, 64 tokens, small transformer);
 *   spam/ham by kNN and linear probe on the pooled embedding at 1 / 10 / 100% labels.
 * - tabular: SCARF and VIME on the vega-datasets movies table (MLP 256-256); genre by kNN and
 *   linear probe at 1 / 10 / 100% labels.
 * - series: series-contrastive and masked-series on simulated sensor windows (1-D conv);
 *   AUROC of kNN-distance anomaly scores on windows with labelled faults.
 *
 *   npm run bench:modalities                                 # time budgets, seeds 0 1 2
 *   npm run bench:modalities -- --only text --text-epochs 3 --seeds 0   # fixed steps
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import * as px from '../../kernel/src/index';
import { deriveSeed } from '../../kernel/src/util/random';
import { frozenScores, FRACTIONS, meanStd, type FrozenScores } from './scoring';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string', default: 'text,tabular,series' },
    seeds: { type: 'string', default: '0,1,2' },
    'text-epochs': { type: 'string' },
    'tabular-epochs': { type: 'string' },
    'series-epochs': { type: 'string' },
    'text-budget': { type: 'string', default: '120' },
    'tabular-budget': { type: 'string', default: '30' },
    'series-budget': { type: 'string', default: '60' },
    out: { type: 'string' },
    /** Print the tables of a results file written by --out. */
    from: { type: 'string' }
  }
});
const SEEDS = args.seeds.split(',').map(Number);

interface Row {
  modality: string;
  method: string;
  seed: number;
  steps: number;
  seconds: number;
  /** kNN / probe accuracies per label fraction (text, tabular), or AUROC (series). */
  scores: FrozenScores | { auroc: number };
}

type Modality = 'text' | 'tabular' | 'series';

/** Fixed epochs when --<modality>-epochs is given, else the modality's time budget (s). */
function length(modality: Modality): { epochs: number } | { budget: number } {
  const epochs = args[`${modality}-epochs`];
  return epochs ? { epochs: Number(epochs) } : { budget: Number(args[`${modality}-budget`]) };
}

async function pretrain(
  task: px.PretextTask,
  data: px.Dataset,
  options: { batchSize: number; learningRate: number; seed: number; modality: Modality }
): Promise<{ steps: number; seconds: number }> {
  const run = await px.train(task, data, {
    ...length(options.modality),
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    seed: options.seed,
    schedule: { kind: 'cosine', warmupEpochs: 1 },
    display: false,
    runStore: false,
    // A benchmark measures what each method learns, collapse included, rather than stopping.
    divergenceGuard: 'warn'
  });
  return { steps: run.history.length, seconds: run.seconds };
}

/** kNN + probe scores of one encoder on the split's pool subsets. */
function scoreEncoder(
  encoder: px.LayersModel,
  data: px.Dataset,
  split: px.SslSplit,
  numClasses: number,
  seed: number
): FrozenScores {
  const features = px.embed(encoder, data.inputs);
  try {
    const { unlabeled: pool, test } = split.indices;
    return frozenScores(features, data.labels!, pool, test, numClasses, seed);
  } finally {
    features.dispose();
  }
}

async function text(seed: number): Promise<Row[]> {
  const corpus = px.loadSpamAssassin({ perClass: 5000, seed: 0 });
  const tokenizer = px.trainTokenizer(corpus.texts, { vocabSize: 4000, maxLength: 64 });
  const data = px.textDataset(corpus, tokenizer);
  const split = px.splitForSsl(data, { testFraction: 0.2, seed: 0 });
  const make = () =>
    px.transformerEncoder({
      vocabSize: tokenizer.vocabSize,
      maxLength: tokenizer.maxLength,
      seed: deriveSeed(seed, 1)
    });
  const rows: Row[] = [];
  try {
    const encoder = make();
    const task = px.mlm({ encoder, tokenizer, seed: deriveSeed(seed, 2) });
    const run = await pretrain(task, split.unlabeled, {
      batchSize: 64,
      learningRate: 2e-3,
      seed,
      modality: 'text'
    });
    rows.push({
      modality: 'text',
      method: 'MLM',
      seed,
      ...run,
      scores: scoreEncoder(encoder, data, split, 2, seed)
    });
    task.dispose?.();
    encoder.dispose();
    const untrained = make();
    rows.push({
      modality: 'text',
      method: 'untrained transformer',
      seed,
      steps: 0,
      seconds: 0,
      scores: scoreEncoder(untrained, data, split, 2, seed)
    });
    untrained.dispose();
  } finally {
    for (const d of [data, split.unlabeled, split.labeled, split.test]) {
      px.disposeDataset(d);
    }
  }
  return rows;
}

async function tabular(seed: number): Promise<Row[]> {
  const movies = px.loadTable(px.vegaData('movies.json'), {
    label: 'Major Genre',
    columns: { Distributor: 'categorical' }
  });
  const { data, split } = px.splitTable(movies, { seed: 0, testFraction: 0.2 });
  const numClasses = data.classNames!.length;
  const features = data.inputs.shape[1];
  const make = (name: string) =>
    px.mlpEncoder({ inputDim: features, hidden: [256, 256], seed: deriveSeed(seed, 1), name });
  const rows: Row[] = [];
  try {
    for (const method of ['scarf', 'vime'] as const) {
      const encoder = make(`${method}_mlp`);
      const options = { encoder, groups: data.schema.groups, seed: deriveSeed(seed, 2) };
      const task = method === 'scarf' ? px.scarf(options) : px.vime(options);
      const run = await pretrain(task, split.unlabeled, {
        batchSize: 256,
        learningRate: 1e-3,
        seed,
        modality: 'tabular'
      });
      const scores = scoreEncoder(encoder, data, split, numClasses, seed);
      rows.push({ modality: 'tabular', method: method.toUpperCase(), seed, ...run, scores });
      task.dispose?.();
      encoder.dispose();
    }
    const untrained = make('untrained_mlp');
    const input = px.tf.input({ shape: [features] });
    const raw = px.tf.model({ inputs: input, outputs: input, name: 'raw_features' });
    for (const [method, encoder] of [
      ['untrained MLP', untrained],
      ['raw features', raw]
    ] as const) {
      const scores = scoreEncoder(encoder, data, split, numClasses, seed);
      rows.push({ modality: 'tabular', method, seed, steps: 0, seconds: 0, scores });
    }
    untrained.dispose();
  } finally {
    for (const d of [movies, data, split.unlabeled, split.labeled, split.test]) {
      px.disposeDataset(d);
    }
  }
  return rows;
}

async function series(seed: number): Promise<Row[]> {
  const WINDOW = 64;
  const normal = px.sensorSeries({ steps: 40000, seed: 1, name: 'normal' });
  const faulty = px.sensorSeries({ steps: 24000, anomalies: 48, seed: 2, name: 'faulty' });
  const trainRaw = px.windowSeries(normal, { length: WINDOW, stride: 16 });
  const scaler = px.fitStandardizer(trainRaw);
  const train = px.unlabeled(scaler.transform(trainRaw));
  const test = scaler.transform(
    px.windowSeries(faulty, { length: WINDOW, stride: 32, minAnomalySteps: 16 })
  );
  px.disposeDataset(trainRaw);
  const make = () => px.conv1dEncoder({ inputShape: [WINDOW, 3], seed: deriveSeed(seed, 1) });
  const aurocOf = (encoder: px.LayersModel | undefined): number =>
    px.tf.tidy(() => {
      const flat = (x: px.Tensor) => x.reshape([x.shape[0], -1]) as px.Tensor2D;
      const reference = encoder ? px.embed(encoder, train.inputs) : flat(train.inputs);
      const queries = encoder ? px.embed(encoder, test.inputs) : flat(test.inputs);
      return px.auroc(px.anomalyScores(reference, queries), test.labels!);
    });
  const rows: Row[] = [];
  try {
    for (const method of ['series-contrastive', 'masked-series']) {
      const encoder = make();
      const task = px.createTask(method, { encoder, seed: deriveSeed(seed, 2) });
      const run = await pretrain(task, train, {
        batchSize: 256,
        learningRate: 2e-3,
        seed,
        modality: 'series'
      });
      rows.push({ modality: 'series', method, seed, ...run, scores: { auroc: aurocOf(encoder) } });
      task.dispose?.();
      encoder.dispose();
    }
    const untrained = make();
    rows.push({
      modality: 'series',
      method: 'untrained 1-D conv',
      seed,
      steps: 0,
      seconds: 0,
      scores: { auroc: aurocOf(untrained) }
    });
    untrained.dispose();
    rows.push({
      modality: 'series',
      method: 'raw windows',
      seed,
      steps: 0,
      seconds: 0,
      scores: { auroc: aurocOf(undefined) }
    });
  } finally {
    for (const d of [train, test]) {
      px.disposeDataset(d);
    }
  }
  return rows;
}

function table(rows: Row[]): string {
  const lines: string[] = [];
  const fr = FRACTIONS.map(f => `${f * 100}%`);
  const methods = [...new Set(rows.map(r => `${r.modality}\t${r.method}`))];
  let header = '';
  for (const key of methods) {
    const [modality, method] = key.split('\t');
    const runs = rows.filter(r => r.modality === modality && r.method === method);
    const steps = [...new Set(runs.map(r => r.steps))].join('/');
    const secs = Math.round(runs.reduce((a, r) => a + r.seconds, 0) / runs.length);
    const first = runs[0].scores;
    if ('auroc' in first) {
      if (header !== 'series') {
        header = 'series';
        lines.push(
          '',
          '| series method | AUROC (all faults) | steps | train s |',
          '|---|---|---|---|'
        );
      }
      const values = runs.map(r => (r.scores as { auroc: number }).auroc);
      lines.push(`| ${method} | ${meanStd(values)} | ${steps} | ${secs} |`);
    } else {
      if (header !== modality) {
        header = modality;
        lines.push(
          '',
          `| ${modality} method | ${fr.map(f => `kNN ${f}`).join(' | ')} | ${fr.map(f => `probe ${f}`).join(' | ')} | steps | train s |`,
          `|---|${'---|'.repeat(2 * fr.length + 2)}`
        );
      }
      const cell = (key: 'knn' | 'probe', k: number) =>
        meanStd(runs.map(r => (r.scores as FrozenScores)[key][k]));
      lines.push(
        `| ${method} | ${FRACTIONS.map((_, k) => cell('knn', k)).join(' | ')} | ` +
          `${FRACTIONS.map((_, k) => cell('probe', k)).join(' | ')} | ${steps} | ${secs} |`
      );
    }
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  if (args.from) {
    const lines = readFileSync(args.from, 'utf8').split('\n');
    console.log(table(lines.filter(l => l.trim() !== '').map(l => JSON.parse(l) as Row)));
    return;
  }
  const only = args.only.split(',');
  const benches: Record<string, (seed: number) => Promise<Row[]>> = { text, tabular, series };
  const rows: Row[] = [];
  for (const seed of SEEDS) {
    for (const name of only) {
      const got = await benches[name](seed);
      for (const r of got) {
        rows.push(r);
        if (args.out) {
          appendFileSync(args.out, JSON.stringify(r) + '\n');
        }
        console.log(`${r.modality} ${r.method} seed ${seed}: ${JSON.stringify(r.scores)}`);
      }
    }
  }
  console.log(
    `\nper run (text / tabular / series): ${(['text', 'tabular', 'series'] as const)
      .map(m => {
        const l = length(m);
        return 'epochs' in l ? `${l.epochs} epochs` : `${l.budget} s budget`;
      })
      .join(' / ')}; ` +
      `seeds [${SEEDS.join(', ')}]; ${cpus().length} CPU threads, tfjs backend ${px.tf.getBackend()}; ` +
      'text: SpamAssassin 80/20, spam/ham; tabular: movies 80/20, genre; series: AUROC on faulty windows, 5-NN cosine distance to normal training windows.\n' +
      `Command: npm run bench:modalities -- ${process.argv.slice(2).join(' ')}`
  );
  console.log(table(rows));
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
