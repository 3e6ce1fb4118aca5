import type { DataSource } from '../data/source';
import type { PretextTask } from '../tasks/task';
import { check } from '../util/errors';
import type { ResolvedTrainOptions } from './options';

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
  const size = data.size;
  check(size > 0, `Dataset '${data.name}' is empty.`, 'Load some data before training.');
  check(
    options.batchSize <= size,
    `batchSize ${options.batchSize} is larger than the ${size} examples in '${data.name}'.`,
    `Use batchSize ${Math.max(2, 2 ** Math.floor(Math.log2(size)))} or less, or load more data.`
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
}
