/**
 * Fine-tuning recipe ablation behind FINE_TUNE_RECIPE: pretrain SimCLR on MNIST-10k's 80/20
 * pool for a fixed number of epochs, then, on the same class-balanced label subsets, compare
 * the frozen linear probe with fine-tuning recipes (test accuracy, one line per recipe).
 *
 *   node --import tsx bench/quality/fine-tune.ts                 # 4 epochs, 10% and 1%, seed 0
 *   node --import tsx bench/quality/fine-tune.ts --epochs 8 --fractions 0.1 --seed 1
 */
import { parseArgs } from 'node:util';
import { tf } from '../../kernel/src/backend/tf';
import { simclrAugment } from '../../kernel/src/augment/compose';
import { splitForSsl, subset } from '../../kernel/src/data/dataset';
import { loadMnist } from '../../kernel/src/datasets/mnist';
import { embed } from '../../kernel/src/features/embed';
import { drawSubset, FINE_TUNE_RECIPE } from '../../kernel/src/eval/label-efficiency';
import { linearProbe } from '../../kernel/src/eval/linear-probe';
import {
  classifierAccuracy,
  cloneEncoder,
  trainClassifier,
  type SupervisedOptions
} from '../../kernel/src/eval/supervised';
import { convEncoder } from '../../kernel/src/models/conv-encoder';
import { simclr } from '../../kernel/src/tasks/simclr';
import { train } from '../../kernel/src/train/train';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '4' },
    fractions: { type: 'string', default: '0.1,0.01' },
    seed: { type: 'string', default: '0' }
  }
});
const seed = Number(args.seed);
const LP = { standardize: true, probeSteps: 100, probeLearningRate: 1e-2 };
const RECIPES: [string, Partial<SupervisedOptions>][] = [
  ['plain (encoder and head at 1e-3)', {}],
  ['standardised head, plain', { standardize: true }],
  ['standardised, warmup 50 + cosine', { standardize: true, warmupSteps: 50, cosine: true }],
  ['standardised LP-FT, encoder 1e-4', { ...LP, encoderLearningRate: 1e-4, warmupSteps: 50 }],
  ['FINE_TUNE_RECIPE', FINE_TUNE_RECIPE]
];

async function main(): Promise<void> {
  const mnist = loadMnist();
  const split = splitForSsl(mnist, { seed: 0 });
  const augment = simclrAugment();
  const encoder = convEncoder({ inputShape: [28, 28, 1], seed: 1 });
  const task = simclr({ encoder, augment, temperature: 0.2, seed: 2 });
  const run = await train(task, split.unlabeled, {
    epochs: Number(args.epochs),
    batchSize: 256,
    learningRate: 1e-3,
    seed,
    schedule: { kind: 'cosine', warmupEpochs: 0.5 },
    display: false,
    runStore: false
  });
  console.log(`pretrained: ${run.history.length} SimCLR steps in ${run.seconds.toFixed(0)} s`);
  const labels = mnist.labels!;
  for (const f of args.fractions.split(',').map(Number)) {
    const rows = drawSubset(split.indices.unlabeled, labels, 10, n => Math.round(n * f), seed);
    const labeled = subset(mnist, rows);
    const trainX = embed(encoder, labeled.inputs);
    const testX = embed(encoder, split.test.inputs);
    const probe = linearProbe({
      trainX,
      trainY: labeled.labels!,
      testX,
      testY: split.test.labels!,
      numClasses: 10,
      seed
    });
    tf.dispose([trainX, testX]);
    console.log(`${f * 100}% labels (${rows.length}): frozen linear probe ${pct(probe.accuracy)}`);
    for (const [name, recipe] of RECIPES) {
      const model = await cloneEncoder(encoder, true);
      const head = await trainClassifier(model, labeled.inputs, labeled.labels!, 10, {
        epochs: 20,
        minSteps: 300,
        batchSize: 64,
        learningRate: 1e-3,
        augment,
        seed,
        ...recipe
      });
      const accuracy = classifierAccuracy(model, head, split.test.inputs, split.test.labels!);
      console.log(`${f * 100}% labels: fine-tuned, ${name}: ${pct(accuracy)}`);
      model.dispose();
      head.dispose();
    }
    labeled.inputs.dispose();
  }
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

main().catch(error => {
  console.error(error);
  process.exit(1);
});
