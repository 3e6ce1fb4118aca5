/**
 * Downstream evaluation of one or more encoders on the same labeled split: kNN on frozen
 * embeddings and a linear probe, with the protocol recorded next to every number.
 */
import { inspect } from 'node:util';
import { backendInfo, type BackendInfo, type LayersModel } from '../backend/tf';
import type { SslSplit } from '../data/dataset';
import { session } from '../events/session-events';
import { Chart } from '../render/chart';
import { displayBundle } from '../render/display';
import type { Displayable, MimeBundle } from '../render/mime';
import { accuracyBarsSpec, type AccuracyRow } from '../render/specs';
import { Table } from '../render/table';
import { flag, positiveInteger } from '../options/fields';
import { checkedBy, inputIs, optionsObject, parseOptions, z } from '../options/schema';
import { check } from '../util/errors';
import { checkSeed } from '../util/random';
import { validateDataset } from '../data/validate';
import { embed } from '../features/embed';
import { representationHealth, type HealthReport } from '../features/health';
import { checkBankK, knnAccuracy } from './knn';
import { linearProbe } from './linear-probe';

export interface EvaluateOptions {
  /** Neighbours for the kNN classifier (default 20). */
  k?: number;
  /** Passes of the linear probe over the labeled features (default 100). */
  probeEpochs?: number;
  /** Seeds the probe's validation split and shuffles (default 0). */
  seed?: number;
  /** Show the results table and chart (default true). */
  display?: boolean;
}

const evaluateOptions = inputIs<EvaluateOptions>()(
  optionsObject(
    'evaluate()',
    {
      // Checked against the labeled set's size in evaluate().
      k: z.custom<number>().default(20),
      probeEpochs: positiveInteger('evaluate() probeEpochs', 'Pass e.g. probeEpochs: 100.').default(
        100
      ),
      seed: checkedBy<number>(seed => checkSeed('evaluate()', seed)).default(0),
      display: flag(
        'evaluate() display',
        'Pass display: false to return the report without showing it.'
      ).default(true)
    },
    {
      problem: v => `evaluate() options must be an object, got ${String(v)}.`,
      fix: 'Pass e.g. { k: 20, probeEpochs: 100 }.'
    }
  )
);

export interface EncoderScores {
  model: string;
  knn: number;
  linearProbe: number;
  probeTrainAccuracy: number;
  probeL2: number;
  /** Collapse check on the test embeddings. */
  health: HealthReport;
  seconds: number;
}

/** How every number in a report was produced, so a table can be quoted honestly. */
export interface EvaluationProtocol {
  dataset: string;
  labeledExamples: number;
  testExamples: number;
  labelsPerClass: number[];
  splitSeed: number;
  knn: { k: number; similarity: 'cosine' };
  linearProbe: { epochs: number; l2Candidates: number[]; features: 'frozen, standardised' };
  environment: BackendInfo;
  seconds: number;
}

export class EvaluationReport implements Displayable {
  constructor(
    readonly scores: EncoderScores[],
    readonly protocol: EvaluationProtocol
  ) {}

  /** Test accuracy of one encoder under one protocol. */
  accuracy(model: string, protocol: 'knn' | 'linearProbe'): number {
    const row = this.scores.find(s => s.model === model);
    check(
      row,
      `No encoder named '${model}' in this report.`,
      `Use one of: ${this.scores.map(s => s.model).join(', ')}.`
    );
    return row[protocol];
  }

  private caption(): string {
    const p = this.protocol;
    return (
      `${p.dataset}: ${p.labeledExamples} labeled examples (${p.labelsPerClass[0]}${p.labelsPerClass.every(n => n === p.labelsPerClass[0]) ? '' : '±'} per class) ` +
      `train the kNN bank and the probe; ${p.testExamples} held-out test examples; split seed ${p.splitSeed}. ` +
      `kNN: cosine, k=${p.knn.k}. Linear probe: logistic regression on frozen standardised features, ${p.linearProbe.epochs} epochs, ` +
      `L2 chosen from [${p.linearProbe.l2Candidates.join(', ')}] on a held-out 20%. ` +
      `Backend ${p.environment.backend} (TensorFlow ${p.environment.tensorflow}, ${p.environment.device}); ${p.seconds.toFixed(1)} s.`
    );
  }

  table(): Table {
    return new Table(
      [
        { name: 'model', label: 'encoder' },
        { name: 'knn', label: `kNN (k=${this.protocol.knn.k})`, format: 'percent' },
        { name: 'linearProbe', label: 'linear probe', format: 'percent' },
        { name: 'probeTrainAccuracy', label: 'probe train acc.', format: 'percent' },
        { name: 'effectiveRank', label: 'effective rank', format: 'number' },
        { name: 'seconds', label: 'eval seconds', format: 'number' }
      ],
      this.scores.map(s => ({
        model: s.model,
        knn: s.knn,
        linearProbe: s.linearProbe,
        probeTrainAccuracy: s.probeTrainAccuracy,
        effectiveRank: `${s.health.effectiveRank.toFixed(1)} / ${s.health.dim}${s.health.collapsing ? ' (collapsing)' : ''}`,
        seconds: s.seconds
      })),
      'Downstream test accuracy',
      this.caption()
    );
  }

  chart(): Chart {
    const rows: AccuracyRow[] = this.scores.flatMap(s => [
      { model: s.model, protocol: `kNN (k=${this.protocol.knn.k})`, accuracy: s.knn },
      { model: s.model, protocol: 'linear probe', accuracy: s.linearProbe }
    ]);
    const summary = this.scores
      .map(
        s =>
          `${s.model}: kNN ${(s.knn * 100).toFixed(1)}%, linear probe ${(s.linearProbe * 100).toFixed(1)}%`
      )
      .join('\n');
    return new Chart(
      accuracyBarsSpec(rows),
      `Downstream test accuracy\n${summary}`,
      'Downstream test accuracy'
    );
  }

  toBundle(): MimeBundle {
    return this.table().toBundle();
  }

  [inspect.custom](): string {
    return this.table().toBundle()['text/plain'];
  }
}

/**
 * Scores each encoder by kNN and linear probe on `split.labeled` -> `split.test`. Pass the
 * same split to every call so numbers are comparable; include an untrained encoder of the same
 * architecture to see what pretraining added.
 */
export async function evaluate(
  encoders: Record<string, LayersModel>,
  split: SslSplit,
  options: EvaluateOptions = {}
): Promise<EvaluationReport> {
  const { k, probeEpochs, seed, display } = parseOptions(evaluateOptions, options);
  const names = Object.keys(encoders ?? {});
  check(
    names.length > 0,
    'evaluate() got no encoders.',
    "Pass them by name, e.g. evaluate({ 'SimCLR': encoder }, split)."
  );
  check(
    split?.labeled?.labels !== undefined && split?.test?.labels !== undefined,
    'evaluate() needs a split with labeled and test examples.',
    'Make one with splitForSsl(dataset, { seed }).'
  );
  validateDataset(split.labeled, 'evaluate() split.labeled', { labels: 'required' });
  validateDataset(split.test, 'evaluate() split.test', { labels: 'required' });
  // The caption records k, so the k that runs must be the k asked for: no silent clamping.
  checkBankK('evaluate()', k, split.labeled);
  const l2Candidates = [0, 1e-4, 1e-3, 1e-2];
  const started = Date.now();
  const scores: EncoderScores[] = [];
  for (const model of names) {
    const encoderStarted = Date.now();
    const trainX = embed(encoders[model], split.labeled.inputs);
    const testX = embed(encoders[model], split.test.inputs);
    try {
      const knn = knnAccuracy(trainX, split.labeled.labels!, testX, split.test.labels!, {
        k
      });
      const probe = linearProbe({
        trainX,
        trainY: split.labeled.labels!,
        testX,
        testY: split.test.labels!,
        numClasses: split.protocol.labeledPerClass.length,
        epochs: probeEpochs,
        l2: l2Candidates,
        seed
      });
      scores.push({
        model,
        knn,
        linearProbe: probe.accuracy,
        probeTrainAccuracy: probe.trainAccuracy,
        probeL2: probe.l2,
        health: representationHealth(testX),
        seconds: (Date.now() - encoderStarted) / 1000
      });
    } finally {
      trainX.dispose();
      testX.dispose();
    }
    // Let display and interrupt messages through between encoders.
    await new Promise<void>(resolve => setImmediate(resolve));
  }
  const report = new EvaluationReport(scores, {
    dataset: split.test.name.replace(/ \(test\)$/, ''),
    labeledExamples: split.protocol.labeledSize,
    testExamples: split.protocol.testSize,
    labelsPerClass: split.protocol.labeledPerClass,
    splitSeed: split.protocol.seed,
    knn: { k, similarity: 'cosine' },
    linearProbe: { epochs: probeEpochs, l2Candidates, features: 'frozen, standardised' },
    environment: backendInfo(),
    seconds: (Date.now() - started) / 1000
  });
  session.recordEvaluation({
    models: names,
    bestAccuracy: Math.max(...scores.flatMap(s => [s.knn, s.linearProbe])),
    collapsing: scores.filter(s => s.health.collapsing).map(s => s.model)
  });
  if (display) {
    displayBundle(report.toBundle());
    displayBundle(await report.chart().toBundle());
  }
  return report;
}
