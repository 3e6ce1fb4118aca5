import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, type Tensor } from '../backend/tf';
import { inMemory, watchFirstReads, type DataSource } from '../data/source';
import { listPositions } from '../data/validate';
import type { PretextTask } from '../tasks/task';
import { NUM_SPECIAL, UNK_ID } from '../text/tokenizer';
import { check, PretextError } from '../util/errors';
import { describeFsError, fsErrorFix } from '../util/fs-errors';
import { checkSeed } from '../util/random';
import type { ResolvedTrainOptions } from './options';

/** Examples scanned per chunk by the value checks (bounds the memory of one isFinite pass). */
const CHUNK = 4096;
/** Image values above this mean the data is not in [0, 1]: 0..255 pixels, most likely. */
const IMAGE_MAX = 1.5;
/** Examples of a source on disk whose values are checked as training first reads them. */
export const SCANNED_EXAMPLES = 1024;

/** The data each task was last checked to train on, for callbacks that look at examples. */
const trainedOn = new WeakMap<PretextTask, DataSource>();

/** The source `task` is being trained on (set by checkTrainData), if any. */
export function trainingSource(task: PretextTask): DataSource | undefined {
  return trainedOn.get(task);
}

/** Everything about the data that must hold before a single step runs. */
export function checkTrainData(
  task: PretextTask,
  data: DataSource,
  options: ResolvedTrainOptions
): void {
  check(
    !data.labeled,
    `train() got the labeled dataset '${data.name}'; pretext training must not see labels.`,
    'Pass the unlabeled view instead: split.unlabeled, or unlabeled(data).'
  );
  checkSeed('train', options.seed);
  if (options.resume !== undefined && typeof options.runStore === 'string') {
    checkResumableStore(options.runStore, options.resume);
  }
  const size = data.size;
  check(size > 0, `Dataset '${data.name}' is empty.`, 'Load some data before training.');
  check(
    size >= 2,
    `Dataset '${data.name}' has only ${size} example; a training batch needs at least 2 (views are contrasted within a batch).`,
    'Load more data: a few hundred examples at the least for a useful encoder.'
  );
  check(
    options.batchSize <= size,
    `batchSize ${options.batchSize} is larger than the ${size} examples in '${data.name}'.`,
    `Use batchSize ${2 ** Math.floor(Math.log2(size))} or less, or load more data.`
  );
  const expected = task.encoder.inputs[0].shape.slice(1);
  const actual = data.exampleShape;
  check(
    expected.length === actual.length &&
      expected.every((dim, i) => dim === null || dim === actual[i]),
    `Examples in '${data.name}' are ${actual.join('x')} but the encoder expects ${expected.join('x')}.`,
    `Build the encoder with inputShape [${actual.join(', ')}], or reshape the data to ${expected.join('x')}.`
  );
  const expectedType = task.encoder.inputs[0].dtype;
  check(
    expectedType === undefined || expectedType === data.dtype,
    `Dataset '${data.name}' holds ${data.dtype} values but the encoder's input is ${expectedType}.`,
    expectedType === 'int32'
      ? 'Token ids must be int32: tokenize the text with the same tokenizer the encoder was built for.'
      : 'Convert the inputs, e.g. inputs.toFloat(), or build the encoder for this data type.'
  );
  trainedOn.set(task, data);
  const inputs = inMemory.get(data);
  if (inputs) {
    checkValues(task, inputs, inMemoryPlace(data.name, inputs.shape[0]));
  } else {
    watchFirstReads(data, 'values', SCANNED_EXAMPLES, scanReads(task, data));
  }
}

/** Where bad values are, as the messages say it: which examples or files, and where to fix them. */
interface Place {
  name: string;
  /** "Dataset 'x'" or "Source 'x'". */
  what: string;
  /** "16 examples", "the first 64 examples read". */
  total: string;
  /** The bad ones, e.g. "examples 3, 7" or "files a.png, b.png". */
  which(bad: number[]): string;
  /** Where the fix goes. */
  inRead: boolean;
}

function inMemoryPlace(name: string, size: number): Place {
  return {
    name,
    what: `Dataset '${name}'`,
    total: `${size} examples`,
    which: bad => listPositions('examples', bad),
    inRead: false
  };
}

/**
 * The value checks for a source read from disk: each of its first batches is checked as the
 * loop reads it (before its step), with the examples named by position or by file.
 */
function scanReads(task: PretextTask, source: DataSource) {
  let seen = 0;
  const files = (source as { files?: unknown }).files;
  // An image folder's source lists its files by position: name them, not positions.
  const names = Array.isArray(files) && files.length === source.size ? files : undefined;
  return (batch: Tensor, positions: Int32Array): void => {
    seen += positions.length;
    checkValues(task, batch, {
      name: source.name,
      what: `Source '${source.name}'`,
      total: `the first ${seen} examples read`,
      which: bad =>
        names
          ? listPositions(
              'files',
              bad.map(i => String(names[positions[i]]))
            )
          : listPositions(
              'examples',
              bad.map(i => positions[i])
            ),
      inRead: true
    });
  };
}

/**
 * A resume rewrites the run's metrics, config and summary: the store must be a writable folder.
 * Checked before anything is read or written, so a read-only or misplaced store gives this
 * error, not a raw EROFS halfway through, and the run stays as it was.
 */
function checkResumableStore(root: string, resume: string): void {
  const dir = path.resolve(root);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (error) {
    throw new PretextError(
      `Cannot resume '${resume}': the run store ${dir} cannot be read: ${describeFsError(error)}.`,
      "Point runStore at the folder that holds the run (or set PRETEXT_RUNS); openRunStore('<folder>').list() shows its runs."
    );
  }
  check(
    stat.isDirectory(),
    `Cannot resume '${resume}': the run store ${dir} is a file, not a folder.`,
    'Point runStore at the folder that holds the run (or set PRETEXT_RUNS).'
  );
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (error) {
    throw new PretextError(
      `Cannot resume '${resume}': the run store ${dir} cannot be written: ${describeFsError(error)}. Nothing was changed; the run and its checkpoint are intact.`,
      `${fsErrorFix(error, dir)}; or copy the run's folder to a writable store and resume there with { runStore: '<copy>', resume: '${resume}' }.`
    );
  }
}

/** Runs `fn` on each chunk of at most CHUNK examples, with the chunk's first example index. */
function eachChunk(inputs: Tensor, fn: (chunk: Tensor, start: number) => void): void {
  const size = inputs.shape[0];
  for (let start = 0; start < size; start += CHUNK) {
    const count = Math.min(CHUNK, size - start);
    tf.tidy(() => {
      const begin = inputs.shape.map((_, i) => (i === 0 ? start : 0));
      const extent = inputs.shape.map((d, i) => (i === 0 ? count : d));
      fn(tf.slice(inputs, begin, extent), start);
    });
  }
}

/**
 * The values themselves, before the first step: NaN/Inf (which would surface steps later as a
 * NaN loss blamed on the learning rate), images outside [0, 1] (augmentations clip them to
 * saturated views) and token ids that are all [UNK] (a tokenizer built for other text).
 */
function checkValues(task: PretextTask, inputs: Tensor, place: Place): void {
  if (inputs.dtype === 'float32') {
    const bad: number[] = [];
    let max = -Infinity;
    eachChunk(inputs, (chunk, start) => {
      const rows = chunk.reshape([chunk.shape[0], -1]);
      const finite = tf.all(tf.isFinite(rows), 1).dataSync();
      finite.forEach((ok, i) => {
        if (!ok) {
          bad.push(start + i);
        }
      });
      // Max over finite values only, so one NaN does not hide the range.
      const safe = tf.where(tf.isFinite(rows), rows, tf.zerosLike(rows));
      max = Math.max(max, tf.max(safe).dataSync()[0]);
    });
    if (bad.length > 0) {
      throw new PretextError(
        `${place.what} holds NaN or infinite values in ${bad.length} of ${place.total} (${place.which(bad)}); training on them ends in a NaN loss.`,
        place.inRead
          ? "Impute or drop those examples in the source's read() (e.g. tf.where(tf.isFinite(x), x, 0)), or repair or remove those files, then train again."
          : "Impute or drop those examples before training: e.g. tf.where(tf.isFinite(x), x, 0), or fromArrays(rows, { nonFinite: 'skip' }) / loadTable's missing-value handling for tables."
      );
    }
    if (isImageData(task, inputs) && max > IMAGE_MAX) {
      throw new PretextError(
        `Images in '${place.name}' hold values up to ${max.toFixed(max >= 10 ? 0 : 2)}${place.inRead ? ` (in ${place.total})` : ''}, but Pretext's image augmentations and encoders expect values in [0, 1]${max <= 255 ? ' (these look like 0..255 pixels)' : ''}; the views would be saturated.`,
        max <= 255
          ? place.inRead
            ? "Divide the pixels by 255 in the source's read() (e.g. return x.div(255)); imageFolderSource already gives [0, 1]."
            : 'Divide the pixels by 255 first: { ...data, inputs: data.inputs.div(255) } (loadMnist and imageFolderSource already give [0, 1]).'
          : 'Scale the inputs into [0, 1] first, e.g. (x - min) / (max - min).'
      );
    }
  }
  if (inputs.dtype === 'int32' && task.method === 'mlm' && !place.inRead) {
    checkTokens(place.name, inputs);
  }
}

/** Image-shaped float data for a task whose augmentation is one of Pretext's own. */
function isImageData(task: PretextTask, inputs: Tensor): boolean {
  if (inputs.rank !== 4 || ![1, 3, 4].includes(inputs.shape[3] ?? 0)) {
    return false;
  }
  const augment = task.config().augment as { op?: string } | undefined;
  // A custom augmentation may expect other ranges; only Pretext's own are known to want [0, 1].
  return augment === undefined || augment.op !== 'custom';
}

/** Token rows must hold some known words; all-[UNK] means the tokenizer is for other text. */
function checkTokens(name: string, inputs: Tensor): void {
  let known = 0;
  let unknown = 0;
  eachChunk(inputs, chunk => {
    known += tf.sum(tf.greaterEqual(chunk, NUM_SPECIAL).toInt()).dataSync()[0];
    unknown += tf.sum(tf.equal(chunk, UNK_ID).toInt()).dataSync()[0];
  });
  if (known > 0) {
    return;
  }
  throw new PretextError(
    unknown > 0
      ? `Every word token in '${name}' is [UNK] (${unknown} of them): the tokenizer knows none of this corpus's words, so masked language modeling has nothing to learn.`
      : `'${name}' holds no word tokens at all (only [CLS] [SEP] [PAD]): the texts are empty.`,
    unknown > 0
      ? 'Train the tokenizer on this corpus (trainTokenizer(corpus.texts)) or load the one the data was meant for; tokenizer.coverage(texts) shows the share of known words.'
      : 'Check the texts (corpus.report) before tokenizing.'
  );
}
