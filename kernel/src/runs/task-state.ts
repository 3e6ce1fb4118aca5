/**
 * A task's checkpointed state: which variables it is saved by, how stored tensors are paired
 * with a (possibly rebuilt) task's variables, and assigning the values once all match.
 */
import { tf, type Variable } from '../backend/tf';
import type { PretextTask } from '../tasks/task';
import { PretextError } from '../util/errors';
import type { LoadedCheckpoint, LoadedTensor, TensorEntry } from './checkpoint';

/** The state a task is checkpointed by: its own names, or its trainable variables by name. */
export function taskState(task: PretextTask): {
  naming: 'task' | 'default';
  variables: Record<string, Variable>;
} {
  if (task.stateVariables) {
    return { naming: 'task', variables: task.stateVariables() };
  }
  const variables: Record<string, Variable> = {};
  for (const v of task.trainableVariables()) {
    variables[v.name] = v;
  }
  return { naming: 'default', variables };
}

/**
 * What a variable is within its layer ('kernel', 'bias', 'gamma', 'moving_mean', ...): the
 * last part of its name without the '_N' suffix tfjs adds when the same name is built again.
 */
export function weightKind(name: string): string {
  return (name.split('/').at(-1) ?? name).replace(/_\d+$/, '');
}

const describeShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Why a stored tensor cannot hold a task variable's value, or undefined when it can. */
function misfit(stored: TensorEntry, name: string, variable: Variable): string | undefined {
  const sameShape =
    variable.shape.length === stored.shape.length &&
    variable.shape.every((d, i) => d === stored.shape[i]);
  if (!sameShape) {
    return `'${stored.name}' is ${describeShape(stored.shape)} in the checkpoint but '${name}' is ${describeShape(variable.shape)} in the task`;
  }
  if (variable.dtype !== stored.dtype) {
    return `'${stored.name}' is ${stored.dtype} stored but '${name}' is ${variable.dtype} in the task`;
  }
  return undefined;
}

/**
 * Pairs stored tensors with task variables by structure: the same count, and in order the same
 * weight kind, shape and dtype. tfjs's names are not compared, because a notebook that re-runs
 * its build cells gets 'conv1/kernel_1' for what was stored as 'conv1/kernel'.
 */
function matchStructurally(
  stored: LoadedTensor[],
  names: string[],
  variables: Record<string, Variable>
): { pairs: { variable: Variable; stored: LoadedTensor }[]; problems: string[] } {
  const problems: string[] = [];
  if (stored.length !== names.length) {
    problems.push(
      `the checkpoint holds ${stored.length} variables but the task has ${names.length}` +
        ` (first stored: ${stored
          .slice(0, 3)
          .map(s => `'${s.entry.name}'`)
          .join(', ')}; first in the task: ${names
          .slice(0, 3)
          .map(n => `'${n}'`)
          .join(', ')})`
    );
    return { pairs: [], problems };
  }
  const pairs = names.map((name, i) => ({ variable: variables[name], stored: stored[i] }));
  pairs.forEach(({ variable, stored: s }, i) => {
    const name = names[i];
    if (weightKind(s.entry.name) !== weightKind(name)) {
      problems.push(
        `variable ${i + 1} is a ${weightKind(s.entry.name)} ('${s.entry.name}') in the checkpoint but a ${weightKind(name)} ('${name}') in the task`
      );
      return;
    }
    const why = misfit(s.entry, name, variable);
    if (why) {
      problems.push(`variable ${i + 1}: ${why}`);
    }
  });
  return { pairs, problems };
}

/**
 * Pairs each stored tensor with a task variable, or throws a PretextError naming every
 * mismatch. Names are used when every stored name is in the task, and always for tasks that
 * name their own state (stateVariables(): 'encoder/3', stable by construction). tfjs's
 * variable names are not stable, so those are matched by structure (order, weight kind,
 * shape), as after a rebuild in the same kernel.
 */
export function matchTaskState(
  checkpoint: LoadedCheckpoint,
  task: PretextTask
): { variable: Variable; stored: LoadedTensor }[] {
  const { naming, variables } = taskState(task);
  const names = Object.keys(variables);
  const stored = checkpoint.task;
  const byName = new Map(stored.map(s => [s.entry.name, s]));
  let pairs: { variable: Variable; stored: LoadedTensor }[];
  let problems: string[];
  if (names.length === stored.length && names.every(n => byName.has(n))) {
    pairs = names.map(n => ({ variable: variables[n], stored: byName.get(n)! }));
    problems = names.flatMap(n => misfit(byName.get(n)!.entry, n, variables[n]) ?? []);
  } else if (naming === 'default' && (checkpoint.manifest.naming ?? 'default') === 'default') {
    ({ pairs, problems } = matchStructurally(stored, names, variables));
  } else {
    // Names a task gives its own state ('encoder/3', 'queue') are stable: they must all match.
    pairs = [];
    const missing = stored.filter(s => !(s.entry.name in variables)).map(s => s.entry.name);
    const extra = names.filter(n => !byName.has(n));
    problems = [];
    if (missing.length) {
      problems.push(`stored but not in the task: ${missing.join(', ')}`);
    }
    if (extra.length) {
      problems.push(`in the task but not stored: ${extra.join(', ')}`);
    }
    if (!problems.length) {
      problems.push(
        `the checkpoint holds ${stored.length} variables but the task has ${names.length}`
      );
    }
  }
  if (problems.length) {
    const shown = problems.slice(0, 5);
    if (problems.length > shown.length) {
      shown.push(`${problems.length - shown.length} more`);
    }
    throw new PretextError(
      `Checkpoint ${checkpoint.dir} (method '${checkpoint.manifest.method}') does not match this ${task.method} task: ${shown.join('; ')}.`,
      `Build the task exactly as for the stored run (same method, encoder and head sizes${naming === 'default' ? ', layers in the same order' : ''}) and load again; the stored files were left as they are.`
    );
  }
  return pairs;
}

/** Assigns matched checkpoint values to the task's variables. */
export function assignTaskState(pairs: { variable: Variable; stored: LoadedTensor }[]): void {
  for (const { variable, stored } of pairs) {
    const t = tf.tensor(stored.values, stored.entry.shape, stored.entry.dtype);
    variable.assign(t);
    t.dispose();
  }
}
