/**
 * Adam as TensorFlow's own fused kernel. tfjs-core's AdamOptimizer spends 14 small ops per
 * variable per step (mul, add, div, square, sqrt, each a separate TF op with its own output
 * allocation); on the small models Pretext trains, that per-op cost is a large share of the
 * step. TF's `ResourceApplyAdam` updates a variable and both moments in one pass, but only on
 * resource variables, which tfjs does not have. So each trained variable gets three resource
 * variables held through the tfjs-node binding (the parameter and its two moments); a step is
 * `ResourceApplyAdam` then `ReadVariableOp` back into the tfjs Variable, 2 ops instead of 14.
 *
 * The resources never appear in tf.memory() and are freed by dispose(). TF updates a resource
 * in place only while no tensor shares its buffer and copies it first otherwise, so the tensor
 * a tfjs Variable holds is never changed under it.
 *
 * The maths is tfjs's: TF folds the bias corrections into the rate and adds epsilon to the
 * uncorrected sqrt(v), so epsilon is passed as epsilon * sqrt(1 - beta2^t), which makes both
 * updates the same function of the same state (equal within float rounding, not bit for bit).
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import { attrs, nodeBackend, type OpAttr, type RawBackend, type TF } from './ops';

type Tensor = tfTypes.Tensor;
type Variable = tfTypes.Variable;
type Scalar = tfTypes.Scalar;

const TF_ATTR_SHAPE = 5;

/** The step's shared inputs: the rate, betas and epsilon, and the running beta powers. */
export interface AdamStepScalars {
  learningRate: Scalar;
  beta1: Scalar;
  beta2: Scalar;
  /** epsilon * sqrt(1 - beta2^t): see the module comment. */
  epsilon: Scalar;
  /** beta1^t and beta2^t for this step (t from 1). */
  beta1Power: Scalar;
  beta2Power: Scalar;
}

interface Slot {
  name: string;
  param: number;
  m: number;
  v: number;
  /** The data the tfjs Variable held when the parameter resource was last in step with it. */
  synced?: object;
}

let resourceCounter = 0;

/**
 * One Adam's resource variables. Slot i belongs to the i-th variable of the optimiser's update
 * list, as tfjs's slots do: a restored run's variables may have other names (tfjs suffixes
 * layer names it has seen before), so names only label the saved state.
 */
export class NativeAdamSlots {
  private readonly backend: RawBackend;
  private readonly a: ReturnType<typeof attrs>;
  private readonly slots: Slot[] = [];
  private disposed = false;

  constructor(private readonly tf: TF) {
    this.backend = nodeBackend(tf) as RawBackend;
    this.a = attrs(this.backend);
  }

  /** Slot names in order: the variable's name when the slot was made, or the restored name. */
  get names(): string[] {
    return this.slots.map(slot => slot.name);
  }

  /**
   * One Adam step of `variable` with `gradient`: the parameter resource is refreshed from the
   * variable if anything assigned it since the last step (weight decay, a restore, a user).
   */
  update(index: number, variable: Variable, gradient: Tensor, s: AdamStepScalars): void {
    const slot = this.slot(index, variable.name, variable.shape);
    if (slot.synced !== variable.dataId) {
      this.assign(slot.param, variable);
    }
    const b = this.backend.binding;
    const ids = this.backend.getInputTensorIds([
      s.beta1Power,
      s.beta2Power,
      s.learningRate,
      s.beta1,
      s.beta2,
      s.epsilon,
      gradient
    ]);
    b.executeOp(
      'ResourceApplyAdam',
      [
        this.a.type('T', 'float32'),
        this.a.bool('use_locking', false),
        this.a.bool('use_nesterov', false)
      ],
      [slot.param, slot.m, slot.v, ...ids],
      0
    );
    const updated = this.read(slot.param);
    variable.assign(updated);
    updated.dispose();
    slot.synced = variable.dataId;
  }

  /** Makes slot `index` (zero moments) for a variable that has no gradient this step. */
  ensure(index: number, variable: Variable): void {
    this.slot(index, variable.name, variable.shape);
  }

  /** Fresh tensors of every slot's first and second moment (the caller disposes them). */
  moments(): { name: string; m: Tensor; v: Tensor }[] {
    return this.slots.map(slot => ({
      name: slot.name,
      m: this.read(slot.m),
      v: this.read(slot.v)
    }));
  }

  /**
   * Sets slot `index`'s moments (a restore, in slot order); the parameter is taken from the
   * variable at its next step.
   */
  load(index: number, name: string, m: Tensor, v: Tensor): void {
    const slot = this.slot(index, name, m.shape);
    this.assign(slot.m, m);
    this.assign(slot.v, v);
    slot.synced = undefined;
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    for (const slot of this.slots) {
      for (const id of [slot.param, slot.m, slot.v]) {
        this.backend.binding.executeOp(
          'DestroyResourceOp',
          [this.a.bool('ignore_lookup_error', true)],
          [id],
          0
        );
        this.backend.binding.deleteTensor(id);
      }
    }
    this.slots.length = 0;
  }

  private slot(index: number, name: string, shape: number[]): Slot {
    const known = this.slots[index];
    if (known) {
      return known;
    }
    if (this.disposed) {
      throw new Error('NativeAdamSlots: used after dispose().');
    }
    if (index !== this.slots.length) {
      throw new Error(`NativeAdamSlots: slot ${index} before slot ${this.slots.length}.`);
    }
    const zeros = this.tf.zeros(shape);
    try {
      const slot: Slot = {
        name,
        param: this.handle(shape),
        m: this.handle(shape),
        v: this.handle(shape)
      };
      this.assign(slot.m, zeros);
      this.assign(slot.v, zeros);
      this.slots.push(slot);
      return slot;
    } finally {
      zeros.dispose();
    }
  }

  private handle(shape: number[]): number {
    const shapeAttr: OpAttr = { name: 'shape', type: TF_ATTR_SHAPE, value: shape };
    const [meta] = this.backend.binding.executeOp(
      'VarHandleOp',
      [
        this.a.type('dtype', 'float32'),
        shapeAttr,
        this.a.string('container', ''),
        // Unique, so two optimisers (or two runs) never share a resource.
        this.a.string('shared_name', `pretext_adam_${process.pid}_${++resourceCounter}`)
      ],
      [],
      1
    );
    return meta.id;
  }

  private assign(resource: number, value: Tensor): void {
    const [id] = this.backend.getInputTensorIds([value]);
    this.backend.binding.executeOp(
      'AssignVariableOp',
      [this.a.type('dtype', 'float32')],
      [resource, id],
      0
    );
  }

  private read(resource: number): Tensor {
    const [meta] = this.backend.binding.executeOp(
      'ReadVariableOp',
      [this.a.type('dtype', 'float32')],
      [resource],
      1
    );
    return this.backend.createOutputTensor(meta);
  }
}

let available: boolean | undefined;

/**
 * Whether TF's fused Adam runs here and matches tfjs's update on a probe: the 'tensorflow'
 * backend with the resource ops, and not turned off by PRETEXT_NATIVE_ADAM=0 (or by
 * PRETEXT_NATIVE_GRADIENTS=0, which turns the whole native layer off).
 */
export function nativeAdamAvailable(tf: TF, env: NodeJS.ProcessEnv = process.env): boolean {
  const off = (v: string | undefined) =>
    ['0', 'false', 'off', 'no'].includes((v ?? '').trim().toLowerCase());
  if (off(env.PRETEXT_NATIVE_ADAM) || off(env.PRETEXT_NATIVE_GRADIENTS)) {
    return false;
  }
  if (tf.getBackend() !== 'tensorflow') {
    return false;
  }
  available ??= probe(tf);
  return available;
}

/** One step on a 2-element variable, compared with Adam's closed form for the first step. */
function probe(tf: TF): boolean {
  const slots = new NativeAdamSlots(tf);
  // tidy frees the initial value; the variable survives it.
  const variable = tf.tidy(() =>
    tf.variable(tf.tensor1d([1, -2]), true, `pretext_adam_probe_${Date.now()}`)
  );
  const scalars = [0.1, 0.9, 0.999, 1e-8 * Math.sqrt(1 - 0.999), 0.9, 0.999].map(x => tf.scalar(x));
  const gradient = tf.tensor1d([0.5, -0.25]);
  try {
    const [learningRate, beta1, beta2, epsilon, beta1Power, beta2Power] = scalars;
    slots.update(0, variable, gradient, {
      learningRate,
      beta1,
      beta2,
      epsilon,
      beta1Power,
      beta2Power
    });
    // Adam's first step moves each weight by -rate * sign(gradient).
    const [a, b] = variable.dataSync();
    return Math.abs(a - 0.9) < 1e-5 && Math.abs(b + 1.9) < 1e-5;
  } catch {
    return false;
  } finally {
    slots.dispose();
    tf.dispose([variable, gradient, ...scalars]);
  }
}
