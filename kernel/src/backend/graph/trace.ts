/**
 * Traces tensor code into one TensorFlow function. While `fn` runs, every op tfjs-node would
 * execute eagerly is added to a TF_Graph instead (outputs get stand-in ids, shapes come from
 * TF's shape inference); `inputs` become the function's first arguments, every tf.Variable the
 * code reads becomes an argument fed with the variable's value at each call, and any other
 * tensor it reads is frozen into the graph as a constant. Variable assignments inside `fn` are
 * not applied: they become extra outputs (`assigned`) for the caller to apply.
 *
 * Anything the graph cannot express stops the trace with a TraceAbort naming it (a value read
 * back to JavaScript mid-step, an unknown output shape, an op missing from TF's registry): the
 * caller then keeps running eagerly. Randomness drawn in JavaScript inside `fn` would be frozen
 * too, which is why callers trace a task's deterministic objective only and check the traced
 * function against an eager run before trusting it.
 */
import { tf, type Tensor, type Variable } from '../tf';
import type { OpAttr, TensorMetadata } from '../native/ops';
import {
  hasGraphFunctions,
  type GraphOp,
  type OutputRef,
  type TracedBackend,
  type TracedBinding
} from './binding';
import { opInputArgs } from './op-defs';

/** Why a trace stopped; the step runs eagerly instead. */
export class TraceAbort extends Error {}

let tracing = false;

/** True while a trace is recording (native kernels skip their handle caches then). */
export function isTracing(): boolean {
  return tracing;
}

export interface TracedFunction {
  /** The function's name in the eager context. */
  readonly name: string;
  /** Variables `fn` assigned; their new values follow `fn`'s results in run()'s outputs. */
  readonly assigned: Variable[];
  /** Ops recorded, and tensors frozen in as constants (besides the code's own literals). */
  readonly stats: { ops: number; frozen: number; variables: number };
  /** Runs the function on new `inputs` (same shapes and dtypes) and the variables' values. */
  run(inputs: Tensor[]): Tensor[];
  /** Removes the function from the eager context. */
  dispose(): void;
}

let functionCount = 0;

/** Outputs that are scratch space for the op's own gradient, never a value tfjs reads. */
function opaqueOutput(op: string, index: number): boolean {
  return (op.startsWith('_MklNative') && index > 0) || (op === 'FusedBatchNormV3' && index >= 3);
}

function abort(message: string): never {
  throw new TraceAbort(message);
}

/** The backend, when it can trace (tfjs-node with Pretext's graph functions compiled in). */
export function traceableBackend(): TracedBackend | undefined {
  if (tf.getBackend() !== 'tensorflow') {
    return undefined;
  }
  const backend = tf.backend() as unknown as TracedBackend;
  return hasGraphFunctions(backend.binding) ? backend : undefined;
}

/**
 * tfjs-node kernels that read an input back to JavaScript, in the versions a trace uses:
 * GatherV2 checks its indices in JavaScript first; in a graph, TF's own GatherV2 checks them
 * (and fails the step with TF's message when one is out of range).
 */
function swapTraceKernels(backend: TracedBackend): () => void {
  const original = tf.getKernel('GatherV2', 'tensorflow');
  if (!original) {
    return () => undefined;
  }
  tf.unregisterKernel('GatherV2', 'tensorflow');
  tf.registerKernel({
    ...original,
    kernelFunc: ({ inputs, attrs }) => {
      const { x, indices } = inputs as { x: Tensor; indices: Tensor };
      const { axis, batchDims } = attrs as unknown as { axis: number; batchDims: number };
      const b = backend.binding;
      const type = (name: string, dtype: string) => ({
        name,
        type: b.TF_ATTR_TYPE,
        value: dtype === 'float32' ? b.TF_FLOAT : dtype === 'bool' ? b.TF_BOOL : b.TF_INT32
      });
      const axisTensor = tf.scalar(axis, 'int32');
      const result = backend.executeSingleOutput(
        'GatherV2',
        [
          { name: 'batch_dims', type: b.TF_ATTR_INT, value: batchDims },
          type('Tparams', x.dtype),
          type('Tindices', indices.dtype),
          type('Taxis', 'int32')
        ],
        [x, indices, axisTensor]
      );
      axisTensor.dispose();
      return result as never;
    }
  });
  return () => {
    tf.unregisterKernel('GatherV2', 'tensorflow');
    tf.registerKernel(original);
  };
}

/**
 * Every registered variable by its data id, after giving each variable data of its own: a copy
 * made with tf.variable(other) (momentum targets) shares its source's data until one of them is
 * assigned, and a trace must know which of the two the code read, since they diverge later.
 */
function distinctVariables(): Map<object, Variable> {
  const variables = new Map<object, Variable>();
  for (const v of Object.values(tf.engine().registeredVariables)) {
    if (variables.has(v.dataId)) {
      tf.tidy(() => v.assign(tf.add(v, tf.zerosLike(v))));
    }
    variables.set(v.dataId, v);
  }
  return variables;
}

/** Records `fn` (run on `inputs`) as one TF function; throws TraceAbort when it cannot. */
export function traceFunction(inputs: Tensor[], fn: () => Tensor[]): TracedFunction {
  const backend = traceableBackend();
  if (!backend) {
    abort('the binding has no graph functions (rerun npm run setup)');
  }
  const real: TracedBinding = backend.binding;
  const args = opInputArgs(real);
  const graph = real.pretextGraphNew();
  const refs = new Map<number, OutputRef>();
  let nextFake = -2; // -1 is tfjs-node's "not uploaded yet"
  const live = new Set<number>();
  const fakeFor = (ref: OutputRef) => {
    const id = nextFake--;
    refs.set(id, ref);
    live.add(id);
    return id;
  };
  const byDataId = new Map<object, number>();
  const byRealId = new Map<number, number>();
  const parameters: OutputRef[] = [];
  const fedVariables: Variable[] = [];
  const assigned = new Map<Variable, number>();
  let ops = 0;
  let frozen = 0;
  const variables = distinctVariables();

  const remember = (t: Tensor, fake: number) => {
    byDataId.set(t.dataId, fake);
    const info = backend.tensorMap.has(t.dataId) ? backend.tensorMap.get(t.dataId) : undefined;
    if (info && info.id >= 0) {
      byRealId.set(info.id, fake);
    }
    return fake;
  };
  const parameterIds: number[] = [];
  const placeholder = (t: Tensor, dtype: number) => {
    const op = real.pretextGraphPlaceholder(graph, dtype, [...t.shape]);
    const ref: OutputRef = [op.op, 0];
    parameters.push(ref);
    const id = fakeFor(ref);
    parameterIds.push(id);
    return id;
  };
  const constant = (dtype: number, shape: number[], values: unknown) => {
    if (!(
      values instanceof Float32Array ||
      values instanceof Int32Array ||
      values instanceof Uint8Array
    )) {
      abort('a constant that is not a float32, int32 or bool array');
    }
    const op = real.pretextGraphConst(graph, dtype, shape, values);
    const id = fakeFor([op.op, 0]);
    live.delete(id); // a constant is never a tfjs tensor's data, so it cannot outlive the trace
    return id;
  };
  for (const t of inputs) {
    const info = backend.tensorMap.has(t.dataId) ? backend.tensorMap.get(t.dataId) : undefined;
    if (!info) {
      abort('an input tensor is disposed');
    }
    remember(t, placeholder(t, info.dtype));
  }
  const capture = (t: Tensor): number => {
    const known = byDataId.get(t.dataId);
    if (known !== undefined) {
      return known;
    }
    const info = backend.tensorMap.has(t.dataId) ? backend.tensorMap.get(t.dataId) : undefined;
    if (!info) {
      abort('a tensor that is not on the TensorFlow backend');
    }
    if (info.id < -1) {
      return info.id;
    }
    const variable = variables.get(t.dataId);
    if (variable) {
      fedVariables.push(variable);
      return remember(t, placeholder(t, info.dtype));
    }
    frozen++;
    const values = info.values ?? real.tensorDataSync(info.id);
    const id = constant(info.dtype, [...t.shape], values);
    parameterIds.push(id); // stands for a tensor made outside the trace
    return remember(t, id);
  };
  const refOf = (id: number): OutputRef => {
    const fake = id < -1 ? id : byRealId.get(id);
    const ref = fake === undefined ? undefined : refs.get(fake);
    return ref ?? abort(`a raw tensor handle the trace did not see made (id ${id})`);
  };
  const attrValue = (attrs: OpAttr[], name: string) => attrs.find(a => a.name === name)?.value;

  const proxy = Object.create(real) as TracedBinding;
  const define = (key: string, value: unknown) =>
    Object.defineProperty(proxy, key, { value, configurable: true });
  define('executeOp', (name: string, attrs: OpAttr[], ids: number[], n: number) => {
    const inputArgs = args.get(name) ?? abort(`op ${name} is not in TensorFlow's registry`);
    const flat = ids.map(refOf);
    let at = 0;
    const grouped = inputArgs.map(arg => {
      if (arg.numberAttr || arg.typeListAttr) {
        const value = attrValue(attrs, (arg.numberAttr ?? arg.typeListAttr)!);
        const count = arg.numberAttr ? Number(value) : Array.isArray(value) ? value.length : NaN;
        if (!Number.isInteger(count)) {
          abort(`op ${name}: list input without its length attr`);
        }
        at += count;
        return flat.slice(at - count, at);
      }
      return flat[at++];
    });
    if (at !== flat.length || grouped.some(g => g === undefined)) {
      abort(`op ${name}: ${flat.length} inputs do not match its registered arguments`);
    }
    let op: GraphOp;
    try {
      op = real.pretextGraphAddOp(graph, name, attrs, grouped);
    } catch (error) {
      abort(`op ${name}: ${(error as Error).message}`);
    }
    ops++;
    if (op.outputs.length < n) {
      abort(`op ${name}: ${op.outputs.length} outputs, ${n} asked for`);
    }
    return op.outputs.slice(0, n).map((out, i): TensorMetadata => {
      if (!out.shape || out.shape.some(d => d < 0)) {
        // Scratch outputs only their gradient op reads (oneDNN's pooling workspace, batch
        // norm's reserve spaces) have no static shape; nothing in tfjs looks inside them.
        if (!opaqueOutput(name, i)) {
          abort(`op ${name}: output ${i} has no static shape`);
        }
        return { id: fakeFor([op.op, i]), shape: [0], dtype: out.dtype };
      }
      return { id: fakeFor([op.op, i]), shape: out.shape, dtype: out.dtype };
    });
  });
  define('createTensor', (shape: number[], dtype: number, values: unknown) =>
    constant(dtype, shape, values)
  );
  define('tensorDataSync', (id: number) =>
    id < -1 ? abort('the step reads a tensor value back to JavaScript') : real.tensorDataSync(id)
  );
  define('deleteTensor', (id: number) => (id < -1 ? live.delete(id) : real.deleteTensor(id)));

  const restoreKernels = swapTraceKernels(backend);
  const variableProto = tf.Variable.prototype as unknown as {
    assign(this: Variable, value: Tensor): void;
  };
  const originalAssign = Object.getOwnPropertyDescriptor(variableProto, 'assign')!;
  // Which stand-ins became tfjs tensors (alive while their data is), to find kept ones at the end.
  const wrapped = new Map<number, object>();
  const ownCreate = Object.getOwnPropertyDescriptor(backend, 'createOutputTensor');
  const originalCreate = backend.createOutputTensor.bind(backend);
  let results: number[];
  tracing = true;
  backend.binding = proxy;
  backend.getInputTensorIds = (tensors: Tensor[]) => tensors.map(capture);
  backend.createOutputTensor = (meta: TensorMetadata) => {
    const tensor = originalCreate(meta);
    if (meta.id < -1) {
      wrapped.set(meta.id, tensor.dataId);
    }
    return tensor;
  };
  Object.defineProperty(variableProto, 'assign', {
    configurable: true,
    writable: true,
    value(this: Variable, value: Tensor) {
      if (value.dtype !== this.dtype || !tf.util.arraysEqual(value.shape, this.shape)) {
        originalAssign.value.call(this, value); // throws tfjs's own message
      }
      const fake = capture(value);
      assigned.set(this, fake);
      byDataId.set(this.dataId, fake); // later reads inside fn see the new value
    }
  });
  try {
    const outputs = tf.tidy(fn);
    try {
      results = outputs.map(capture);
    } finally {
      tf.dispose(outputs);
    }
    for (const id of parameterIds) {
      live.delete(id);
    }
    for (const [id, dataId] of wrapped) {
      if (!backend.tensorMap.has(dataId)) {
        live.delete(id);
      }
    }
    if (live.size > 0) {
      // A tensor made inside the trace outlives it (a cache, a tf.keep): its stand-in id would
      // reach eager code later.
      abort(
        `the traced code keeps ${live.size} tensor(s) it made (a cache or tf.keep inside the step)`
      );
    }
  } catch (error) {
    real.pretextGraphDelete(graph);
    throw error;
  } finally {
    tracing = false;
    restoreKernels();
    backend.binding = real;
    delete (backend as Partial<TracedBackend>).getInputTensorIds;
    if (ownCreate) {
      Object.defineProperty(backend, 'createOutputTensor', ownCreate);
    } else {
      delete (backend as Partial<TracedBackend>).createOutputTensor;
    }
    Object.defineProperty(variableProto, 'assign', originalAssign);
  }
  const name = `pretext_traced_${++functionCount}`;
  const assignedVariables = [...assigned.keys()];
  const outputRefs = [...results, ...assigned.values()].map(refOf);
  try {
    real.pretextGraphToFunction(graph, name, parameters, outputRefs);
  } catch (error) {
    abort((error as Error).message);
  } finally {
    real.pretextGraphDelete(graph);
  }
  let removed = false;
  return {
    name,
    assigned: assignedVariables,
    stats: { ops, frozen, variables: fedVariables.length },
    run: (values: Tensor[]) => {
      if (values.length !== inputs.length) {
        throw new Error(`${name}: ${inputs.length} inputs expected, got ${values.length}`);
      }
      return backend.executeMultipleOutputs(
        name,
        [],
        [...values, ...fedVariables],
        outputRefs.length
      );
    },
    dispose: () => {
      if (!removed) {
        removed = true;
        real.pretextFunctionRemove(name);
      }
    }
  };
}
