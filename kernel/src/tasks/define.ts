/**
 * The method base: a pretext task defined by its parts (encoder, heads, momentum targets,
 * buffers, a loss), in the spirit of solo-learn's method base class. It owns the skeleton
 * every method shares — the `disposed` guard, trainable and state variables, config, dispose
 * and the guide's session record — so a method file only says what is particular to it.
 */
import type { LayersModel, Scalar, Tensor, Variable } from '../backend/tf';
import { tf } from '../backend/tf';
import { session } from '../events/session-events';
import { modelVariables } from '../models/variables';
import { check } from '../util/errors';
import { namedVariables } from './common';
import type { PretextTask, TaskStages, TaskTrainDefaults } from './task';

export interface TaskDefinition<Fields extends object = object, Method extends string = string> {
  /** Method name as users type it; also what configs, runs and the guide record. */
  method: Method;
  /** How messages name the task, e.g. 'SimCLR' (default: the method name). */
  label?: string;
  /** The call that builds a fresh task, for the disposed message (default `method({ encoder })`). */
  rebuild?: string;
  /** The representation being learned; stays with the caller (dispose() leaves it alone). */
  encoder: LayersModel;
  /** Heads by role, trained with the encoder and freed by dispose(). */
  heads?: Record<string, LayersModel>;
  /** Momentum (EMA) targets by role: checkpointed and freed, never trained. */
  targets?: Record<string, LayersModel>;
  /** Non-trainable tensors (queues, counters) by stable name: checkpointed and freed. */
  buffers?: Record<string, Variable>;
  /**
   * How checkpoints name the state: 'named' (default) by role and position ('encoder/3',
   * 'target_encoder/0', then the buffers), stable across rebuilds; 'trainable' leaves it to the
   * engine (trainable variables by TensorFlow name), which SimCLR, SCARF and VIME checkpoints
   * were written with, so they keep loading.
   */
  state?: 'named' | 'trainable';
  /** The batch's loss; runs after the disposed guard, inside the optimiser's tape. */
  loss(batch: Tensor, seed: number): Scalar;
  /** The same loss in two stages (see TaskStages), so the engine can compile the objective. */
  stages?: TaskStages;
  /** After each optimiser step (EMA updates, queue pushes); guarded like loss(). */
  afterStep?(step: number): void;
  /** Settings recorded with the run (default none); `method` is put first. */
  config?: Record<string, unknown> | (() => Record<string, unknown>);
  /** Frees what the task holds besides heads, targets and buffers (pending tensors). */
  onDispose?(): void;
  /** Extra public fields of the task: its heads, the options in use. */
  fields?: Fields;
  /** Training settings the method trains best with (px.train fills options left out). */
  trainDefaults?: TaskTrainDefaults;
}

/** The parts that families of methods (joint embedding, masked reconstruction) pass on as is. */
export type TaskBasics<Fields extends object, Method extends string> = Pick<
  TaskDefinition<Fields, Method>,
  'method' | 'label' | 'rebuild' | 'encoder' | 'state' | 'config' | 'fields' | 'trainDefaults'
>;

/** Picks the TaskBasics out of a family's definition, leaving its own parts behind. */
export function basics<Fields extends object, Method extends string>(
  definition: TaskBasics<Fields, Method>
): TaskBasics<Fields, Method> {
  const { method, label, rebuild, encoder, state, config, fields, trainDefaults } = definition;
  return { method, label, rebuild, encoder, state, config, fields, trainDefaults };
}

/** What defineTask returns: a PretextTask with the definition's fields and method name. */
export type DefinedTask<Fields extends object, Method extends string> = PretextTask &
  Fields & { readonly method: Method };

/** Builds a PretextTask from its parts; see TaskDefinition. */
export function defineTask<Fields extends object = object, Method extends string = string>(
  definition: TaskDefinition<Fields, Method>
): DefinedTask<Fields, Method> {
  const { method, encoder, heads = {}, targets = {}, buffers = {} } = definition;
  const label = definition.label ?? method;
  const rebuild = definition.rebuild ?? `${method}({ encoder })`;
  let disposed = false;
  const guard = (): void =>
    check(
      !disposed,
      `This ${label} task has been disposed (its heads and buffers are gone).`,
      `Create a new task with ${rebuild} to keep training the same encoder.`
    );
  const { afterStep } = definition;
  const named = (definition.state ?? 'named') === 'named';
  session.recordTask(method);
  const task: PretextTask = {
    method,
    encoder,
    ...(definition.trainDefaults ? { trainDefaults: { ...definition.trainDefaults } } : {}),
    trainableVariables: () => [encoder, ...Object.values(heads)].flatMap(modelVariables),
    loss: (batch, seed) => {
      guard();
      return definition.loss(batch, seed);
    },
    ...(definition.stages
      ? {
          stages: {
            prepare: (batch: Tensor, seed: number) => {
              guard();
              return definition.stages!.prepare(batch, seed);
            },
            objective: (prepared: Tensor[]) => definition.stages!.objective(prepared)
          }
        }
      : {}),
    config: () => ({
      method,
      ...(typeof definition.config === 'function' ? definition.config() : (definition.config ?? {}))
    }),
    dispose: () => {
      if (disposed) {
        return;
      }
      disposed = true;
      definition.onDispose?.();
      for (const model of [...Object.values(heads), ...Object.values(targets)]) {
        model.dispose();
      }
      tf.dispose(Object.values(buffers));
    }
  };
  if (afterStep) {
    task.afterStep = step => {
      guard();
      afterStep(step);
    };
  }
  if (named) {
    task.stateVariables = () => ({
      ...namedVariables({ encoder, ...heads, ...targets }),
      ...buffers
    });
  }
  return Object.assign(task, definition.fields ?? ({} as Fields)) as DefinedTask<Fields, Method>;
}
