import { tf, type DataType, type Tensor } from '../backend/tf';
import { check } from '../util/errors';
import type { Dataset } from './dataset';
import { validateDataset } from './validate';

/**
 * Examples that training reads batch by batch, by position. A folder of images or a large
 * CSV file can stay on disk: reading by position (rather than streaming in file order) keeps
 * the engine's seeded shuffles, so a run from disk repeats and resumes exactly like one from
 * memory.
 */
export interface DataSource {
  readonly name: string;
  /** Number of examples. */
  readonly size: number;
  /** Shape of one example, e.g. [28, 28, 1]. */
  readonly exampleShape: number[];
  readonly dtype: DataType;
  /** Whether the source carries labels; pretext training refuses labeled data. */
  readonly labeled: boolean;
  /** The examples at `indices` as one tensor [indices.length, ...exampleShape]; the caller disposes it. */
  read(indices: Int32Array): Tensor | Promise<Tensor>;
}

export function isDataSource(value: unknown): value is DataSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as DataSource).read === 'function' &&
    Array.isArray((value as DataSource).exampleShape)
  );
}

/** An in-memory dataset seen as a source: batches are gathered from its tensor. */
export function datasetSource(data: Dataset, where = 'train'): DataSource {
  validateDataset(data, where);
  check(
    data.inputs.rank >= 2,
    `${where}: expected a dataset whose inputs are a tensor [count, ...example shape]; '${data.name}' has [${data.inputs.shape.join(', ')}].`,
    'Pass a dataset from a loader or splitForSsl(), e.g. train(task, split.unlabeled).'
  );
  const source: DataSource = {
    name: data.name,
    size: data.inputs.shape[0],
    exampleShape: data.inputs.shape.slice(1),
    dtype: data.inputs.dtype,
    labeled: data.labels !== undefined,
    read: indices => tf.tidy(() => tf.gather(data.inputs, tf.tensor1d(indices, 'int32')))
  };
  inMemory.set(source, data.inputs);
  return source;
}

/**
 * The whole tensor behind a source made by datasetSource, so the pre-training checks can scan
 * every example at once (cheap in memory); sources that read from disk are not in it.
 */
export const inMemory = new WeakMap<DataSource, Tensor>();

/** The source to train from: a DataSource as is, a Dataset through datasetSource. */
export function toSource(data: Dataset | DataSource): DataSource {
  return isDataSource(data) ? data : datasetSource(data);
}
