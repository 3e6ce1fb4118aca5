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

/** Sees each batch a source yields (and the positions read), until it has seen its examples. */
export type ReadWatcher = (batch: Tensor, positions: Int32Array) => void;

interface Watch {
  left: number;
  see: ReadWatcher;
}

/** The watchers of each source toSource wrapped, by what they are for. */
const watchers = new WeakMap<DataSource, Map<string, Watch>>();

/**
 * Has `see` look at the first batches training reads from `source` (one toSource returned),
 * `examples` examples in all: how the values of a source on disk are checked without a second
 * pass over its files. A watcher that throws fails the read (its batch is disposed). Setting
 * `key` again replaces that watcher. False for a source in memory, whose tensor can be scanned.
 */
export function watchFirstReads(
  source: DataSource,
  key: string,
  examples: number,
  see: ReadWatcher
): boolean {
  const watches = watchers.get(source);
  if (!watches) {
    return false;
  }
  watches.set(key, { left: examples, see });
  return true;
}

/** `source` with a read() that shows its first batches to the watchers; all else is the source's. */
function watched(source: DataSource): DataSource {
  const watches = new Map<string, Watch>();
  const show = (batch: Tensor, positions: Int32Array): Tensor => {
    for (const watch of watches.values()) {
      if (watch.left <= 0) {
        continue;
      }
      watch.left -= positions.length;
      try {
        watch.see(batch, positions);
      } catch (error) {
        batch.dispose();
        throw error;
      }
    }
    return batch;
  };
  const read = (positions: Int32Array): Tensor | Promise<Tensor> => {
    const batch = source.read(positions);
    return batch instanceof Promise ? batch.then(b => show(b, positions)) : show(batch, positions);
  };
  // A proxy, not a copy: getters, methods and private fields of a class-based source keep working.
  const wrapper = new Proxy(source, {
    get(target, property) {
      if (property === 'read') {
        return read;
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    }
  });
  watchers.set(wrapper, watches);
  return wrapper;
}

/**
 * The source to train from: a Dataset through datasetSource; a DataSource of its own (read
 * from disk, most likely) wrapped so the checks see the first batches it yields.
 */
export function toSource(data: Dataset | DataSource): DataSource {
  if (!isDataSource(data)) {
    return datasetSource(data);
  }
  return inMemory.has(data) || watchers.has(data) ? data : watched(data);
}
