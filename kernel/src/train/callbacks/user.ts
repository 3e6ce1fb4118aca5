/** Callbacks a user passes to train(): checked up front, and their errors named. */
import { check } from '../../util/errors';
import { RunFailure } from '../run-state';
import type { TrainCallback, TrainContext } from './callback';

export const HOOKS = [
  'onTrainBegin',
  'onGradients',
  'onStepEnd',
  'onEpochEnd',
  'onCheckpoint',
  'onTrainEnd'
] as const;

export type HookName = (typeof HOOKS)[number];

const EXAMPLE = "Pass e.g. { callbacks: [{ name: 'log', onStepEnd: r => console.log(r.loss) }] }.";

/** Checks the `callbacks` option: an array of named objects whose hooks are functions. */
export function resolveCallbacks(callbacks: TrainCallback[] | undefined): TrainCallback[] {
  if (callbacks === undefined) {
    return [];
  }
  check(
    Array.isArray(callbacks),
    'callbacks must be an array of { name, onStepEnd, ... }.',
    EXAMPLE
  );
  for (const callback of callbacks) {
    check(
      typeof callback === 'object' &&
        callback !== null &&
        typeof callback.name === 'string' &&
        callback.name.length > 0,
      `Each callback needs a name, got ${String(callback)}.`,
      EXAMPLE
    );
    // Hooks may live on a class's prototype, so they are read, not listed as own keys.
    const hooks = callback as unknown as Record<string, unknown>;
    for (const hook of HOOKS) {
      check(
        hooks[hook] === undefined || typeof hooks[hook] === 'function',
        `Callback '${callback.name}' has ${hook} that is not a function.`,
        `Make ${hook} a function (it may be async), or leave it out.`
      );
    }
  }
  return callbacks;
}

/** A user callback's error as the run's failure: which callback, which hook, what is intact. */
export function callbackFailure(
  callback: TrainCallback,
  hook: HookName,
  error: unknown,
  ctx: TrainContext
): RunFailure {
  const what = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const kept = ctx.checkpoint
    ? ` The last checkpoint (step ${ctx.checkpoint.step}) of run ${ctx.runId} is intact; after fixing the callback, resume with train(task, data, { resume: '${ctx.runId}' }).`
    : '';
  const failure = new RunFailure(
    `Callback '${callback.name}' threw in ${hook} at step ${ctx.step}: ${what}.${kept}`,
    `Fix or remove callback '${callback.name}' (the original error is in error.cause), then train again.`
  );
  (failure as { cause?: unknown }).cause = error;
  return failure;
}
