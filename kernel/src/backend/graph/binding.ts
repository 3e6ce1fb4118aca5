/**
 * Pretext's graph functions in the tfjs-node binding (kernel/native/graph_functions.cc, compiled
 * in by `npm run setup`): a TF_Graph built op by op, turned into a function the eager context
 * runs as one op. Absent when the binding was built without them (then steps stay eager).
 */
import type { OpAttr, RawBackend, TensorMetadata } from '../native/ops';

/** An op in a graph being built, and what TF's shape inference says about its outputs. */
export interface GraphOp {
  op: number;
  /** dtype is a TF_DataType number; shape is null when the rank is unknown, -1 per unknown dim. */
  outputs: { dtype: number; shape: number[] | null }[];
}

/** [op index, output index] */
export type OutputRef = [number, number];

export interface GraphFunctions {
  pretextGraphNew(): number;
  pretextGraphDelete(graph: number): void;
  pretextGraphPlaceholder(graph: number, dtype: number, shape: number[]): GraphOp;
  pretextGraphConst(
    graph: number,
    dtype: number,
    shape: number[],
    values: Float32Array | Int32Array | Uint8Array
  ): GraphOp;
  pretextGraphAddOp(
    graph: number,
    type: string,
    attrs: OpAttr[],
    inputs: (OutputRef | OutputRef[])[]
  ): GraphOp;
  pretextGraphToFunction(
    graph: number,
    name: string,
    inputs: OutputRef[],
    outputs: OutputRef[]
  ): void;
  pretextFunctionRemove(name: string): void;
  pretextOpList(): ArrayBuffer;
}

/** The binding as the tracer sees it: the eager calls tfjs-node makes, plus graph functions. */
export type TracedBinding = RawBackend['binding'] &
  GraphFunctions & {
    TF_INT64: number;
    TF_STRING: number;
    TF_RESOURCE: number;
    createTensor(shape: number[], dtype: number, values: unknown): number;
    tensorDataSync(id: number): Float32Array | Int32Array | Uint8Array;
    executeOp(name: string, attrs: OpAttr[], inputIds: number[], n: number): TensorMetadata[];
  };

/** tfjs-node's backend internals the tracer touches. */
export interface TracedBackend extends Omit<RawBackend, 'binding'> {
  binding: TracedBinding;
  tensorMap: {
    has(dataId: object): boolean;
    /** Never call for a dataId this backend does not hold: tfjs would move data to it. */
    get(
      dataId: object
    ): { id: number; values: unknown; shape: number[]; dtype: number } | undefined;
  };
}

/** True when the binding has the graph functions compiled in. */
export function hasGraphFunctions(binding: object): binding is TracedBinding {
  return typeof (binding as Partial<GraphFunctions>).pretextGraphNew === 'function';
}
