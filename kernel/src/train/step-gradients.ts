/**
 * A step's loss, gradients and global gradient norm, computed eagerly (one TF op per tfjs
 * kernel) or, for tasks that split their loss into stages, by one traced TensorFlow function
 * per input shape. The first step of each shape runs both ways and the function is kept (and
 * gives that step's result) only if it agrees with the eager step, so a task whose objective is not a pure
 * function of its inputs (JavaScript randomness, values read back) falls back to eager steps
 * with the reason recorded instead of training on frozen values.
 */
import {
  traceableBackend,
  traceFunction,
  TraceAbort,
  type TracedFunction
} from '../backend/graph/trace';
import { tf, type Scalar, type Tensor, type Variable } from '../backend/tf';

type NamedTensorMap = Record<string, Tensor>;
import type { PretextTask, TaskStages } from '../tasks/task';
import { globalNorm } from './optimizers';

export interface StepGradients {
  value: Scalar;
  norm: Scalar;
  grads: NamedTensorMap;
}

/** How the steps ran, for the run's record. */
export interface StepMode {
  compiled: boolean;
  /** Why steps run eagerly, when they do. */
  reason?: string;
  /** Ops in the compiled function, and variables it is fed. */
  ops?: number;
  variables?: number;
}

/** Loss and global norm must agree this closely (relative) for the function to be trusted. */
const AGREEMENT = 1e-4;
/** Input shapes traced per run; past this the shapes change every step and tracing never pays. */
export const MAX_TRACED_SHAPES = 8;

function gradientsOf(loss: () => Scalar, variables: Variable[]): StepGradients {
  return tf.tidy(() => {
    const { value, grads } = tf.variableGrads(loss, variables);
    return { value, grads, norm: globalNorm(Object.values(grads)) };
  });
}

function fail(message: string): never {
  throw new Error(message);
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= AGREEMENT * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Whether compiled steps are possible here at all, and if not, why. */
export function compileUnavailable(task: PretextTask, wanted: boolean): string | undefined {
  if (!wanted) {
    return 'compile: false';
  }
  if (process.env.PRETEXT_GRAPH === '0') {
    return 'PRETEXT_GRAPH=0';
  }
  if (!task.stages) {
    return `${task.method} does not split its loss into stages`;
  }
  if (!traceableBackend()) {
    return 'the TensorFlow binding has no graph functions (rerun npm run setup)';
  }
  return undefined;
}

export class StepGradientEngine {
  private readonly functions = new Map<string, TracedFunction>();
  private stages: TaskStages | undefined;
  readonly mode: StepMode;

  constructor(
    private readonly task: PretextTask,
    private readonly variables: Variable[],
    compile: boolean
  ) {
    const reason = compileUnavailable(task, compile);
    this.stages = reason ? undefined : task.stages;
    this.mode = reason ? { compiled: false, reason } : { compiled: true };
  }

  /** The step's loss, gradients (by variable name) and their global norm; caller disposes. */
  compute(batch: Tensor, seed: number): StepGradients {
    const stages = this.stages;
    if (!stages) {
      return gradientsOf(() => this.task.loss(batch, seed), this.variables);
    }
    const prepared = stages.prepare(batch, seed);
    try {
      return this.fromPrepared(prepared);
    } finally {
      tf.dispose(prepared);
    }
  }

  /** compute() after the task's prepare stage (`prepared` stays the caller's). */
  fromPrepared(prepared: Tensor[]): StepGradients {
    const stages = this.stages;
    if (!stages) {
      return this.task.stages
        ? this.eager(this.task.stages, prepared)
        : fail(`${this.task.method} has no stages to take prepared inputs`);
    }
    const key = prepared.map(t => `${t.dtype}[${t.shape.join(',')}]`).join(' ');
    const compiled = this.functions.get(key);
    if (compiled) {
      return this.run(compiled, prepared);
    }
    if (this.functions.size >= MAX_TRACED_SHAPES) {
      this.dispose();
      return this.fallBack(
        `the prepared inputs change shape from step to step (more than ${MAX_TRACED_SHAPES} shapes)`,
        stages,
        prepared
      );
    }
    return this.compile(key, stages, prepared);
  }

  private eager(stages: TaskStages, prepared: Tensor[]): StepGradients {
    return gradientsOf(() => stages.objective(prepared), this.variables);
  }

  private run(fn: TracedFunction, prepared: Tensor[]): StepGradients {
    return this.adopt(fn, fn.run(prepared));
  }

  /** The step from the function's outputs; the variables it assigned get their new values. */
  private adopt(fn: TracedFunction, outputs: Tensor[]): StepGradients {
    const n = this.variables.length;
    const grads: NamedTensorMap = {};
    this.variables.forEach((v, i) => (grads[v.name] = outputs[2 + i]));
    fn.assigned.forEach((v, i) => {
      v.assign(outputs[2 + n + i]);
      outputs[2 + n + i].dispose();
    });
    return { value: outputs[0] as Scalar, norm: outputs[1] as Scalar, grads };
  }

  /** Traces this shape's function and checks it against an eager step on the same inputs. */
  private compile(key: string, stages: TaskStages, prepared: Tensor[]): StepGradients {
    let fn: TracedFunction;
    try {
      fn = traceFunction(prepared, () => {
        const { value, norm, grads } = this.eager(stages, prepared);
        return [value, norm, ...this.variables.map(v => grads[v.name])];
      });
    } catch (error) {
      if (!(error instanceof TraceAbort)) {
        throw error;
      }
      return this.fallBack(`the objective could not be traced: ${error.message}`, stages, prepared);
    }
    let check: Tensor[] | undefined;
    try {
      check = fn.run(prepared);
    } catch (error) {
      fn.dispose();
      return this.fallBack(
        `the traced function failed: ${(error as Error).message}`,
        stages,
        prepared
      );
    }
    const result = this.eager(stages, prepared);
    const [graphLoss, graphNorm] = [check[0].dataSync()[0], check[1].dataSync()[0]];
    const [loss, norm] = [result.value.dataSync()[0], result.norm.dataSync()[0]];
    if (!close(graphLoss, loss) || !close(graphNorm, norm)) {
      tf.dispose(check);
      fn.dispose();
      this.stages = undefined;
      Object.assign(this.mode, {
        compiled: false,
        reason: `the traced function disagrees with an eager step (loss ${graphLoss} vs ${loss}, gradient norm ${graphNorm} vs ${norm}): the objective is not a pure function of its inputs`
      });
      return result;
    }
    this.functions.set(key, fn);
    Object.assign(this.mode, { ops: fn.stats.ops, variables: fn.stats.variables });
    // Every step of a compiled run comes from the function, this one too (its assignments
    // replace the eager step's), so a resumed run repeats an uninterrupted one bit for bit.
    tf.dispose([result.value, result.norm, ...Object.values(result.grads)]);
    return this.adopt(fn, check);
  }

  private fallBack(reason: string, stages: TaskStages, prepared: Tensor[]): StepGradients {
    this.stages = undefined;
    Object.assign(this.mode, { compiled: false, reason });
    return this.eager(stages, prepared);
  }

  dispose(): void {
    for (const fn of this.functions.values()) {
      fn.dispose();
    }
    this.functions.clear();
  }
}
