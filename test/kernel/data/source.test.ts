import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor } from '../../../kernel/src/backend/tf';
import { datasetSource, isDataSource, toSource } from '../../../kernel/src/data/source';

test('a dataset seen as a source reads the rows asked for, in that order', () => {
  const inputs = tf.tensor2d([
    [0, 0],
    [1, 1],
    [2, 2],
    [3, 3]
  ]);
  const source = datasetSource({ name: 'rows', inputs, labels: new Int32Array(4) });
  assert.equal(source.size, 4);
  assert.deepEqual(source.exampleShape, [2]);
  assert.equal(source.dtype, 'float32');
  assert.equal(source.labeled, true);
  const batch = source.read(Int32Array.from([3, 1])) as Tensor;
  assert.deepEqual(batch.arraySync(), [
    [3, 3],
    [1, 1]
  ]);
  batch.dispose();
  assert.ok(isDataSource(source));
  assert.equal(toSource(source), source);
  assert.ok(!isDataSource({ name: 'rows', inputs }));
  inputs.dispose();
});

test('a source over bad or freed data is refused with a fix', () => {
  assert.throws(
    () => datasetSource({ name: 'flat', inputs: tf.zeros([4]) }),
    /inputs are a tensor \[count, \.\.\.example shape\][\s\S]*Fix:/
  );
  const inputs = tf.zeros([4, 2]);
  inputs.dispose();
  assert.throws(
    () => datasetSource({ name: 'gone', inputs }),
    /were disposed[\s\S]*Load the data again/
  );
});
