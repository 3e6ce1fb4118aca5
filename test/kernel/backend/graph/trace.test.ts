import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  tf,
  type LayersModel,
  type Scalar,
  type Tensor,
  type Variable
} from '../../../../kernel/src/backend/tf';
import { parseOpList } from '../../../../kernel/src/backend/graph/op-defs';
import {
  isTracing,
  traceableBackend,
  traceFunction,
  TraceAbort
} from '../../../../kernel/src/backend/graph/trace';

const traceable = traceableBackend() !== undefined;

function model(seed: number, batchNorm: boolean): LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: 24,
        activation: 'relu',
        inputShape: [10],
        kernelInitializer: tf.initializers.glorotNormal({ seed })
      }),
      ...(batchNorm ? [tf.layers.batchNormalization()] : []),
      tf.layers.dense({
        units: 6,
        kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 1 })
      })
    ]
  });
}

function trainable(m: LayersModel): Variable[] {
  return m.trainableWeights.map(w => (w as unknown as { val: Variable }).val);
}

/** Loss and every gradient of a small MLP on `x`, as the engine asks for them. */
function lossAndGrads(m: LayersModel, vars: Variable[], x: Tensor): Tensor[] {
  const { value, grads } = tf.variableGrads(
    () => tf.mean(tf.square(tf.sub(m.apply(x, { training: true }) as Tensor, 0.5))) as Scalar,
    vars
  );
  return [value, ...vars.map(v => grads[v.name])];
}

function maxDiff(a: Tensor, b: Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

test(
  'the op registry parse finds list arguments (ConcatV2 values, AddN inputs)',
  { skip: !traceable },
  () => {
    const binding = traceableBackend()!.binding;
    const ops = parseOpList(new Uint8Array(binding.pretextOpList()));
    assert.ok(ops.size > 500, `only ${ops.size} ops`);
    assert.deepEqual(ops.get('ConcatV2'), [{ numberAttr: 'N' }, {}]);
    assert.deepEqual(ops.get('AddN'), [{ numberAttr: 'N' }]);
    assert.deepEqual(ops.get('MatMul'), [{}, {}]);
    assert.deepEqual(ops.get('IdentityN'), [{ typeListAttr: 'T' }]);
  }
);

test(
  'a traced step equals the eager step, on new inputs and after the weights change',
  { skip: !traceable },
  () => {
    const m = model(3, false);
    const vars = trainable(m);
    const x = tf.randomNormal([16, 10], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const fn = traceFunction([x], () => lossAndGrads(m, vars, x));
    assert.equal(isTracing(), false);
    assert.equal(tf.memory().numTensors, before, 'the trace leaves no tensors behind');
    assert.equal(fn.stats.variables, vars.length);
    assert.equal(fn.assigned.length, 0);
    for (let round = 0; round < 3; round++) {
      const input = tf.randomNormal([16, 10], 0, 1, 'float32', 10 + round);
      const traced = fn.run([input]);
      const eager = tf.tidy(() => lossAndGrads(m, vars, input));
      assert.equal(traced.length, eager.length);
      traced.forEach((t, i) => {
        assert.deepEqual(t.shape, eager[i].shape);
        assert.ok(maxDiff(t, eager[i]) < 1e-5, `output ${i} differs in round ${round}`);
      });
      tf.dispose([...traced, ...eager, input]);
      // The function reads the variables' values at each call, not the values at trace time.
      tf.tidy(() => vars[0].assign(tf.mul(vars[0], 0.5)));
    }
    assert.equal(tf.memory().numTensors, before);
    fn.dispose();
    tf.dispose(x);
    m.dispose();
  }
);

test(
  'variable assignments in traced code become outputs, applied by nobody but the caller',
  { skip: !traceable },
  () => {
    const m = model(5, true);
    const vars = trainable(m);
    const x = tf.randomNormal([32, 10], 0, 1, 'float32', 2);
    // getWeights() gives the layer's own variables (moving mean and variance last).
    const movingBefore = m.layers[1]
      .getWeights()
      .slice(2)
      .map(t => t.dataSync().slice());
    const fn = traceFunction([x], () => lossAndGrads(m, vars, x));
    assert.equal(fn.assigned.length, 2, 'the moving mean and variance');
    assert.deepEqual(
      m.layers[1]
        .getWeights()
        .slice(2)
        .map(t => t.dataSync().slice()),
      movingBefore,
      'tracing does not move the statistics'
    );
    const traced = fn.run([x]);
    const eager = tf.tidy(() => lossAndGrads(m, vars, x)); // this one updates them
    const updated = m.layers[1].getWeights().slice(2);
    const nOut = vars.length + 1;
    updated.forEach((t, i) => assert.ok(maxDiff(t, traced[nOut + i]) < 1e-5, `statistic ${i}`));
    assert.ok(maxDiff(traced[0], eager[0]) < 1e-5);
    tf.dispose([...traced, ...eager, x]);
    fn.dispose();
    m.dispose();
  }
);

test(
  'a value read back mid-step stops the trace with the reason, and tfjs keeps working',
  { skip: !traceable },
  () => {
    const x = tf.randomNormal([4, 3]);
    const before = tf.memory().numTensors;
    assert.throws(
      () =>
        traceFunction([x], () => {
          const y = tf.relu(x);
          y.dataSync();
          return [y];
        }),
      (e: unknown) => e instanceof TraceAbort && /reads a tensor value back/.test(e.message)
    );
    assert.equal(isTracing(), false);
    assert.equal(tf.memory().numTensors, before);
    // Eager ops run on the real binding again.
    assert.deepEqual(Array.from(tf.relu(tf.tensor1d([-1, 2])).dataSync()), [0, 2]);
    tf.dispose(x);
  }
);

test(
  'a tensor made inside the trace and kept past it stops the trace',
  { skip: !traceable },
  () => {
    const x = tf.randomNormal([4, 3]);
    let kept: Tensor | undefined;
    assert.throws(
      () =>
        traceFunction([x], () => {
          kept = tf.keep(tf.exp(x));
          return [tf.sum(kept)];
        }),
      (e: unknown) => e instanceof TraceAbort && /keeps 1 tensor/.test(e.message)
    );
    tf.dispose([x, kept!]);
  }
);

test(
  'tensors made outside the trace are frozen in; constants made inside become graph constants',
  { skip: !traceable },
  () => {
    const x = tf.tensor2d([
      [1, 2],
      [3, 4]
    ]);
    const outside = tf.tensor1d([10, 20]);
    const fn = traceFunction([x], () => [tf.add(tf.add(x, outside), tf.scalar(1))]);
    assert.equal(fn.stats.frozen, 2); // `outside`, and the scalar tfjs makes lazily for add
    const [y] = fn.run([
      tf.tensor2d([
        [0, 0],
        [1, 1]
      ])
    ]);
    assert.deepEqual(Array.from(y.dataSync()), [11, 21, 12, 22]);
    tf.dispose([x, outside, y]);
    fn.dispose();
  }
);

test(
  'a variable copied with tf.variable(other) is told apart from its source',
  { skip: !traceable },
  () => {
    const source = tf.variable(tf.tensor1d([1, 2, 3]));
    const copy = tf.variable(source); // shares the source's data until one of them is assigned
    const x = tf.tensor1d([1, 1, 1]);
    const fn = traceFunction([x], () => [tf.mul(x, copy)]);
    tf.tidy(() => source.assign(tf.tensor1d([10, 20, 30])));
    const [y] = fn.run([x]);
    assert.deepEqual(Array.from(y.dataSync()), [1, 2, 3], 'the copy, not the source');
    tf.tidy(() => copy.assign(tf.tensor1d([4, 5, 6])));
    const [z] = fn.run([x]);
    assert.deepEqual(Array.from(z.dataSync()), [4, 5, 6]);
    tf.dispose([source, copy, x, y, z]);
    fn.dispose();
  }
);

test('a gather traces without reading its indices back', { skip: !traceable }, () => {
  const table = tf.tensor2d([
    [1, 2],
    [3, 4],
    [5, 6]
  ]);
  const at = tf.tensor1d([2, 0], 'int32');
  const fn = traceFunction([at], () => [tf.gather(table, at)]);
  const [rows] = fn.run([tf.tensor1d([1, 1], 'int32')]);
  assert.deepEqual(Array.from(rows.dataSync()), [3, 4, 3, 4]);
  // Eager gathers still check their indices in JavaScript.
  assert.throws(() => tf.gather(table, tf.tensor1d([7], 'int32')), /not in \[0, 2\]/);
  tf.dispose([table, at, rows]);
  fn.dispose();
});
