/**
 * Evaluation monitors for train(): cheap checks every few epochs, shown live on the dashboard
 * and stored with the run's metrics. The kNN monitor answers "are the features getting more
 * useful?"; the collapse monitor answers "is the representation still using its dimensions?".
 */
import { tf, type Tensor } from '../backend/tf';
import type { Dataset } from '../data/dataset';
import { validateDataset } from '../data/validate';
import type { TrainMonitor } from '../train/options';
import { positiveInteger } from '../options/fields';
import { inputIs, optionsObject, parseOptions, z } from '../options/schema';
import { check } from '../util/errors';
import { embed } from '../features/embed';
import { representationHealth } from '../features/health';
import { checkBankK, knnAccuracy } from './knn';

export interface MonitorOptions {
  /** Run after every N-th epoch (default 1). */
  everyEpochs?: number;
}

export interface KnnMonitorOptions extends MonitorOptions {
  /** Neighbours (default 20). */
  k?: number;
}

/** How often a monitor runs; train() checks the same when it is given a monitor. */
const everyEpochsOption = (what: string) =>
  positiveInteger(`${what} everyEpochs`, 'Pass e.g. { everyEpochs: 2 }.').default(1);

const knnMonitorOptions = inputIs<KnnMonitorOptions>()(
  optionsObject(
    'knnMonitor',
    // k is checked against the bank's size in knnMonitor().
    { everyEpochs: everyEpochsOption('knnMonitor'), k: z.custom<number>().default(20) },
    {
      problem: v => `knnMonitor options must be an object, got ${String(v)}.`,
      fix: 'Pass e.g. knnMonitor(split.labeled, split.test, { everyEpochs: 2, k: 20 }).'
    }
  )
);

const collapseMonitorOptions = inputIs<MonitorOptions>()(
  optionsObject(
    'collapseMonitor',
    { everyEpochs: everyEpochsOption('collapseMonitor') },
    {
      problem: v => `collapseMonitor options must be an object, got ${String(v)}.`,
      fix: 'Pass e.g. collapseMonitor(split.test, { everyEpochs: 2 }).'
    }
  )
);

/**
 * kNN accuracy of the current encoder: the labeled set is the neighbour bank, the test set is
 * scored. Keep both small (a few hundred to a few thousand examples) and separate from the
 * unlabeled pretraining data, e.g. `knnMonitor(split.labeled, split.test)`.
 */
export function knnMonitor(
  bank: Dataset,
  test: Dataset,
  options: KnnMonitorOptions = {}
): TrainMonitor {
  const { everyEpochs, k } = parseOptions(knnMonitorOptions, options);
  check(
    bank?.labels !== undefined && test?.labels !== undefined,
    'knnMonitor needs two labeled sets: a neighbour bank and a test set.',
    'Pass knnMonitor(split.labeled, split.test).'
  );
  validateDataset(bank, 'knnMonitor bank', { labels: 'required' });
  validateDataset(test, 'knnMonitor test set', { labels: 'required' });
  // Refused here, before training, rather than clamped: the dashboard shows the k it was given.
  checkBankK('knnMonitor', k, bank);
  return {
    name: 'knn',
    everyEpochs,
    evaluate: ({ task }) => {
      const bankX = embed(task.encoder, bank.inputs);
      const testX = embed(task.encoder, test.inputs);
      try {
        return {
          knn: knnAccuracy(bankX, bank.labels!, testX, test.labels!, {
            k
          })
        };
      } finally {
        bankX.dispose();
        testX.dispose();
      }
    }
  };
}

/**
 * Effective rank and spread of the encoder's embeddings of `inputs` (a dataset or its inputs
 * tensor; labels not needed).
 */
export function collapseMonitor(
  data: Tensor | Dataset,
  options: MonitorOptions = {}
): TrainMonitor {
  const { everyEpochs } = parseOptions(collapseMonitorOptions, options);
  if (data && !(data instanceof tf.Tensor)) {
    validateDataset(data, 'collapseMonitor');
  }
  const inputs = data instanceof tf.Tensor ? data : data?.inputs;
  check(
    inputs instanceof tf.Tensor && inputs.rank >= 2 && inputs.shape[0] >= 2,
    'collapseMonitor needs at least 2 held-out examples [count, ...example shape].',
    'Pass a few hundred held-out examples, e.g. collapseMonitor(split.test).'
  );
  return {
    name: 'collapse',
    everyEpochs,
    evaluate: ({ task }) => {
      const z = embed(task.encoder, inputs);
      try {
        const health = representationHealth(z);
        return {
          effectiveRank: health.effectiveRank,
          rankRatio: health.rankRatio,
          stdRatio: health.stdRatio
        };
      } finally {
        z.dispose();
      }
    }
  };
}
