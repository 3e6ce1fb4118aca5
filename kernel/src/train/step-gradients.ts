/**
 * A step's loss, gradients and global gradient norm, computed eagerly (one TF op per tfjs
 * kernel) or, for tasks that split their loss into stages, by one traced TensorFlow function
 * per input shape. The first step of each shape runs both ways and the function is kept (and
 * gives that step's result) only if it agrees with the eager step, so a task whose objective
 * is not a pure function of its inputs (JavaScript randomness, values read back) falls back to
 * eager steps with the reason recorded instead of training on frozen values.
 *
 * With Adam, the function also computes the step's update (clipping, weight decay, the
 * moments and the new weights), so a step is one call; the new values wait in a PendingUpdate
 * until the gradient callbacks (NaN and divergence guards) have seen the loss and norm.
 */
import {
  traceableBackend,
  traceFunction,
  TraceAbort,
  type TracedFunction
} from '../backend/graph/trace';
import { tf, type Scalar, type Tensor, type Variable } from '../backend/tf';
import type { PretextTask, TaskStages } from '../tasks/task';
import { globalNorm, type EngineOptimizer } from './optimizers';

type NamedTensorMap = Record<string, Tensor>;

export interface StepGradients {
  value: Scalar;
  norm: Scalar;
  /** By variable name; empty when `update` holds the step's whole update instead. */
  grads: NamedTensorMap;
  update?: PendingUpdate;
}

/**
 * New values a compiled step computed for the weights, the optimiser's state and batch-norm
 * statistics: commit() applies them (after the gradient callbacks), discard() drops them (a
 * guard stopped the run). Either may be called more than once; only the first counts.
 */
export interface PendingUpdate {
  commit(): void;
  discard(): void;
}

/** The optimiser step a compiled function may include (Adam on tfjs variables only). */
export interface StepUpdate {
  optimizer: EngineOptimizer;
  clipNorm?: number;
  weightDecay: number;
  /** The variables that get decoupled weight decay. */
  decayed: Variable[];
}

/** How the steps ran, for the run's record. */
export interface StepMode {
  compiled: boolean;
  /** Why steps run eagerly, when they do. */
  reason?: string;
  /** Ops in the compiled function, and variables it is fed. */
  ops?: number;
  variables?: number;
  /** Whether the optimiser's update runs inside the function too. */
  update?: boolean;
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

/** Whether a compiled step should include `optimizer`'s update (PRETEXT_GRAPH_UPDATE=0: no). */
export function compilesUpdate(optimizerKind: string): boolean {
  return optimizerKind !== 'sgd' && process.env.PRETEXT_GRAPH_UPDATE !== '0';
}

export class StepGradientEngine {
  private readonly functions = new Map<string, TracedFunction>();
  private stages: TaskStages | undefined;
  private update?: StepUpdate;
  readonly mode: StepMode;
  /** This step's learning rate, fed to a function that includes the update. */
  private learningRate = 0;

  /**
   * `update`: include that optimiser step in compiled functions (when the optimiser is
   * traceable); the loop then applies `StepGradients.update` instead of its own step.
   */
  constructor(
    private readonly task: PretextTask,
    private readonly variables: Variable[],
    compile: boolean,
    update?: StepUpdate
  ) {
    const reason = compileUnavailable(task, compile);
    this.stages = reason ? undefined : task.stages;
    this.mode = reason ? { compiled: false, reason } : { compiled: true };
    if (!reason && update?.optimizer.traceable) {
      this.update = update;
      this.mode.update = true;
    }
  }

  /**
   * The step's loss, gradients (by variable name) and their global norm, or with an update
   * the pending new values instead of the gradients; caller disposes (or commits).
   * `learningRate` is the step's rate, which a function with the update needs.
   */
  compute(batch: Tensor, seed: number, learningRate = 0): StepGradients {
    const stages = this.stages;
    if (!stages) {
      return gradientsOf(() => this.task.loss(batch, seed), this.variables);
    }
    const prepared = stages.prepare(batch, seed);
    try {
      return this.fromPrepared(prepared, learningRate);
    } finally {
      tf.dispose(prepared);
    }
  }

  /** compute() after the task's prepare stage (`prepared` stays the caller's). */
  fromPrepared(prepared: Tensor[], learningRate = 0): StepGradients {
    this.learningRate = learningRate;
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
    return this.adopt(fn, this.call(fn, prepared));
  }

  /** Runs `fn` on the prepared inputs, plus this step's rates when it includes the update. */
  private call(fn: TracedFunction, prepared: Tensor[]): Tensor[] {
    return fn.run([...prepared, ...this.rateInputs()]);
  }

  /**
   * The learning rate and weight-decay factor as the function's last inputs (with an update):
   * the same float32 values the eager path uploads, owned by the optimiser's scalar cache.
   */
  private rateInputs(): Scalar[] {
    const update = this.update;
    if (!update) {
      return [];
    }
    const lr = this.learningRate;
    return update.optimizer.stepScalars(
      update.weightDecay > 0 && update.decayed.length > 0 ? [lr, 1 - lr * update.weightDecay] : [lr]
    );
  }

  /**
   * The step from the function's outputs. Without the update, the variables it assigned
   * (batch-norm statistics) get their new values now; with it, every assignment waits in the
   * returned PendingUpdate.
   */
  private adopt(fn: TracedFunction, outputs: Tensor[]): StepGradients {
    const value = outputs[0] as Scalar;
    const norm = outputs[1] as Scalar;
    if (this.update) {
      const assignments = outputs.slice(2);
      const optimizer = this.update.optimizer;
      let settled = false;
      const update: PendingUpdate = {
        commit: () => {
          if (!settled) {
            settled = true;
            fn.assigned.forEach((v, i) => v.assign(assignments[i]));
            tf.dispose(assignments);
            optimizer.countTracedStep();
          }
        },
        discard: () => {
          if (!settled) {
            settled = true;
            tf.dispose(assignments);
          }
        }
      };
      return { value, norm, grads: {}, update };
    }
    const n = this.variables.length;
    const grads: NamedTensorMap = {};
    this.variables.forEach((v, i) => (grads[v.name] = outputs[2 + i]));
    fn.assigned.forEach((v, i) => {
      v.assign(outputs[2 + n + i]);
      outputs[2 + n + i].dispose();
    });
    return { value, norm, grads };
  }

  /** The traced step: loss, norm and gradients, or loss, norm and the update's assignments. */
  private traced(stages: TaskStages, prepared: Tensor[], rates: Tensor[]): Tensor[] {
    const { value, norm, grads } = this.eager(stages, prepared);
    const update = this.update;
    if (!update) {
      return [value, norm, ...this.variables.map(v => grads[v.name])];
    }
    update.optimizer.tracedUpdate(this.variables, {
      grads,
      norm,
      learningRate: rates[0] as Scalar,
      clipNorm: update.clipNorm,
      decayed: update.decayed,
      decayFactor: rates[1] as Scalar | undefined
    });
    return [value, norm];
  }

  /** Traces this shape's function and checks it against an eager step on the same inputs. */
  private compile(key: string, stages: TaskStages, prepared: Tensor[]): StepGradients {
    let fn: TracedFunction;
    // A trace must not create variables: Adam's moments exist before it starts.
    this.update?.optimizer.prepareTracedUpdate(this.variables);
    const rates = this.rateInputs();
    try {
      fn = traceFunction([...prepared, ...rates], () => this.traced(stages, prepared, rates));
    } catch (error) {
      if (!(error instanceof TraceAbort)) {
        throw error;
      }
      return this.fallBack(`the objective could not be traced: ${error.message}`, stages, prepared);
    }
    let check: Tensor[] | undefined;
    try {
      check = this.call(fn, prepared);
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
      this.update = undefined;
      delete this.mode.update;
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
    this.update = undefined;
    Object.assign(this.mode, { compiled: false, reason });
    delete this.mode.update;
    return this.eager(stages, prepared);
  }

  dispose(): void {
    for (const fn of this.functions.values()) {
      fn.dispose();
    }
    this.functions.clear();
  }
}
