/**
 * Input-shape checks that turn a mismatch between data and model into one readable error,
 * raised before any tensor op (instead of a tfjs "expected input_1 to have shape ..." stack).
 */
import { tf, type LayersModel, type Tensor } from '../backend/tf';
import { check, PretextError } from '../util/errors';

/** The per-example input shape a model expects, e.g. [28, 28, 1] (batch axis dropped). */
export function modelInputShape(model: LayersModel): number[] {
  const shape = model.inputs[0].shape.slice(1);
  return shape.map(d => (d === null ? -1 : d));
}

/** The length of the model's output vector, e.g. 128 for an encoder's features. */
export function modelOutputDim(model: LayersModel): number {
  const shape = model.outputs[0].shape;
  const last = shape[shape.length - 1];
  check(
    shape.length === 2 && typeof last === 'number',
    `Model '${model.name}' outputs shape [${shape.join(', ')}], not a batch of feature vectors.`,
    'Use an encoder that ends in a flat feature vector, e.g. convEncoder(...) (global average pooling).'
  );
  return last;
}

function describe(shape: readonly number[]): string {
  return shape.map(d => (d < 0 ? '?' : String(d))).join('x');
}

/**
 * Checks that `batch` is a live tensor of examples shaped as `model` expects, else throws a
 * PretextError such as "Images are 32x32x3 but the encoder expects 28x28x1."
 * `what` names the data in the message ('Images', 'Rows', ...); the default picks by rank.
 */
export function checkBatchShape(model: LayersModel, batch: Tensor, what?: string): void {
  const expected = modelInputShape(model);
  const noun = what ?? (expected.length === 3 ? 'Images' : 'Inputs');
  const modelName = model.name ? `the encoder '${model.name}'` : 'the encoder';
  check(
    batch instanceof tf.Tensor,
    `${noun} must be a tensor, got ${batch === null ? 'null' : typeof batch}.`,
    `Pass a tf.Tensor of shape [batch, ${expected.join(', ')}].`
  );
  check(
    !batch.isDisposed,
    `${noun} tensor has already been disposed.`,
    'Keep the data tensor alive while it is being used (do not dispose it or create it inside tf.tidy).'
  );
  if (batch.rank !== expected.length + 1) {
    const same = (a: readonly number[], b: readonly number[]) =>
      a.length === b.length && a.every((d, i) => b[i] < 0 || d === b[i]);
    let fix = `Reshape the data to [batch, ${expected.join(', ')}].`;
    if (same(batch.shape, expected)) {
      fix = 'Add a batch dimension, e.g. x.expandDims(0).';
    } else if (expected.at(-1) === 1 && same(batch.shape.slice(1), expected.slice(0, -1))) {
      fix = 'Add a channel dimension, e.g. x.expandDims(-1).';
    }
    throw new PretextError(
      `${noun} have shape [${batch.shape.join(', ')}] but ${modelName} expects a batch of shape [batch, ${expected.join(', ')}].`,
      fix
    );
  }
  check(
    batch.shape[0] > 0,
    `${noun} batch is empty (shape [${batch.shape.join(', ')}]).`,
    'Pass at least one example.'
  );
  const actual = batch.shape.slice(1);
  const matches = actual.every((d, i) => expected[i] < 0 || d === expected[i]);
  if (!matches) {
    const fix =
      expected.length === 3
        ? `build the encoder with inputShape [${actual.join(',')}] or resize the data.`
        : `build the encoder with inputShape [${actual.join(',')}] or reshape the data.`;
    throw new PretextError(
      `${noun} are ${describe(actual)} but ${modelName} expects ${describe(expected)}.`,
      fix.charAt(0).toUpperCase() + fix.slice(1)
    );
  }
  // Most encoders take float32; text encoders take int32 token ids (their input says so).
  const dtype = model.inputs[0].dtype ?? 'float32';
  check(
    batch.dtype === dtype,
    `${noun} have dtype ${batch.dtype} but ${modelName} expects ${dtype}.`,
    dtype === 'int32'
      ? 'Encode the texts with the tokenizer the encoder was built for: textDataset(corpus, tokenizer).'
      : 'Convert with x.toFloat() (and scale 8-bit pixels to [0, 1] with .div(255)).'
  );
}
