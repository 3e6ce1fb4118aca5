import { tf, type Tensor, type Tensor4D } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { session } from '../events/session-events';
import { checkSeed } from '../util/random';
import { rowsByClass } from './stratified';
import { validateDataset } from './validate';

/**
 * Examples of any modality as one tensor whose first axis is the example axis (images
 * [N, H, W, C] in [0, 1], token ids [N, L], table rows [N, F], sensor windows [N, T, C]),
 * with a class index per example when labels are known. Training, splitting and evaluation
 * take any Dataset; only image-specific steps (augmentation grids, thumbnails) need images.
 */
export interface Dataset<X extends Tensor = Tensor> {
  readonly name: string;
  readonly inputs: X;
  /** Class index per example; absent for unlabeled data. */
  readonly labels?: Int32Array;
  readonly classNames?: readonly string[];
}

/** Images [N, height, width, channels] with values in [0, 1]. */
export type ImageDataset = Dataset<Tensor4D>;

export function datasetSize(data: Dataset): number {
  return data.inputs.shape[0];
}

/** The shape of one example (the inputs' shape without the example axis). */
export function exampleShape(data: Dataset): number[] {
  return data.inputs.shape.slice(1);
}

export function imageShape(data: ImageDataset): [number, number, number] {
  const [, h, w, c] = data.inputs.shape;
  return [h, w, c];
}

/** A new dataset holding the rows at `indices` (copies; dispose it when done). */
export function subset<X extends Tensor>(
  data: Dataset<X>,
  indices: Int32Array,
  name = data.name
): Dataset<X> {
  const inputs = tf.tidy(() => tf.gather(data.inputs, tf.tensor1d(indices, 'int32')) as X);
  return {
    name,
    inputs,
    labels: data.labels ? Int32Array.from(indices, i => data.labels![i]) : undefined,
    classNames: data.classNames
  };
}

/** The same examples without their labels: what pretext training is allowed to see. */
export function unlabeled<X extends Tensor>(data: Dataset<X>): Dataset<X> {
  return { name: data.name, inputs: data.inputs };
}

export function disposeDataset(data: Dataset): void {
  data.inputs.dispose();
}

/** How the data was divided, recorded next to every number computed on it. */
export interface SplitProtocol {
  seed: number;
  testPerClass: number[];
  labeledPerClass: number[];
  unlabeledSize: number;
  labeledSize: number;
  testSize: number;
}

/**
 * The standard semi-supervised layout: a held-out labeled test set; everything else is the
 * unlabeled pretraining pool; a small labeled subset of that pool is what evaluation may train
 * on (as in "pretrain on everything, then use 10% of the labels").
 */
export interface SslSplit<X extends Tensor = Tensor> {
  /** Pretraining pool, labels removed. Disjoint from `test`. */
  readonly unlabeled: Dataset<X>;
  /** Labeled subset of the pool for kNN banks, probes and fine-tuning. */
  readonly labeled: Dataset<X>;
  /** Held-out labeled examples; never seen in pretraining. */
  readonly test: Dataset<X>;
  /** Index of every row of unlabeled/labeled/test in the source dataset. */
  readonly indices: { unlabeled: Int32Array; labeled: Int32Array; test: Int32Array };
  readonly protocol: SplitProtocol;
}

export interface SplitOptions {
  /** Fraction of each class held out for testing (default 0.2). */
  testFraction?: number;
  /** Fraction of each class's pool whose labels evaluation may use (default 0.1). */
  labelFraction?: number;
  /** Alternatively, an exact number of labeled examples per class. */
  labelsPerClass?: number;
  seed?: number;
}

/** Class-stratified, seeded split into unlabeled pool, labeled subset and test set. */
export function splitForSsl<X extends Tensor>(
  data: Dataset<X>,
  options: SplitOptions = {}
): SslSplit<X> {
  const { testFraction = 0.2, labelFraction = 0.1, labelsPerClass, seed = 0 } = options;
  check(
    data?.labels !== undefined,
    `Dataset '${data?.name}' has no labels, so it cannot be split into labeled and test sets.`,
    'Split a labeled dataset, or keep unlabeled data for pretraining and load a separate labeled set for evaluation.'
  );
  checkOptionNames('splitForSsl', options, [
    'testFraction',
    'labelFraction',
    'labelsPerClass',
    'seed'
  ]);
  validateDataset(data, 'splitForSsl', { labels: 'required' });
  checkSeed('splitForSsl', seed);
  check(
    testFraction > 0 && testFraction < 1,
    `testFraction must be between 0 and 1, got ${testFraction}.`,
    'Use e.g. testFraction: 0.2.'
  );
  check(
    labelsPerClass !== undefined || (labelFraction > 0 && labelFraction <= 1),
    `labelFraction must be in (0, 1], got ${labelFraction}.`,
    'Use e.g. labelFraction: 0.1 for 10% of the labels.'
  );
  const labels = data.labels;
  const numClasses = data.classNames?.length ?? Math.max(...labels) + 1;
  const everyRow = Int32Array.from({ length: labels.length }, (_, i) => i);
  const byClass = rowsByClass(everyRow, labels, numClasses, seed);

  const test: number[] = [];
  const pool: number[] = [];
  const labeled: number[] = [];
  const testPerClass: number[] = [];
  const labeledPerClass: number[] = [];
  byClass.forEach((rows, cls) => {
    check(
      rows.length >= 2,
      `Class ${data.classNames?.[cls] ?? cls} has ${rows.length} example(s); at least 2 are needed to hold one out for testing.`,
      'Load more examples of every class, or drop the class.'
    );
    const nTest = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * testFraction)));
    const rest = rows.slice(nTest);
    const nLabeled = Math.min(
      rest.length,
      Math.max(1, labelsPerClass ?? Math.round(rest.length * labelFraction))
    );
    test.push(...rows.slice(0, nTest));
    pool.push(...rest);
    labeled.push(...rest.slice(0, nLabeled));
    testPerClass.push(nTest);
    labeledPerClass.push(nLabeled);
  });
  session.recordDataset({
    name: `${data.name} (unlabeled pool)`,
    size: pool.length,
    labeled: false
  });
  session.recordDataset({ name: `${data.name} (test)`, size: test.length, labeled: true });
  const sorted = (rows: number[]) => Int32Array.from(rows).sort();
  const indices = { unlabeled: sorted(pool), labeled: sorted(labeled), test: sorted(test) };
  return {
    unlabeled: unlabeled(subset(data, indices.unlabeled, `${data.name} (unlabeled pool)`)),
    labeled: subset(data, indices.labeled, `${data.name} (labeled)`),
    test: subset(data, indices.test, `${data.name} (test)`),
    indices,
    protocol: {
      seed,
      testPerClass,
      labeledPerClass,
      unlabeledSize: pool.length,
      labeledSize: labeled.length,
      testSize: test.length
    }
  };
}
