/**
 * Resuming a stored run: find it, merge its stored options under the given ones, and check
 * that data, task and optimizer state fit, all before anything is touched.
 */
import type { DataSource } from '../data/source';
import { readCheckpoint, type LoadedCheckpoint } from '../runs/checkpoint';
import { matchTaskState } from '../runs/task-state';
import { openRunStore, type MetricRecord, type Run } from '../runs/store';
import type { PretextTask } from '../tasks/task';
import { check } from '../util/errors';
import { resolveTrainOptions, type ResolvedTrainOptions, type TrainOptions } from './options';
import { isExtraOptimizerState } from './optimizers';
import type { EpochSummary } from './result';

/** Options that must stay as they were for a resumed run to continue the same run. */
const CONTINUITY = ['batchSize', 'seed', 'optimizer', 'momentum'] as const;

export interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number;
  bad: number;
}

export interface EngineState {
  epochs: EpochSummary[];
  earlyStopping: EarlyStoppingState;
  seconds: number;
}

export interface ResumePlan {
  run: Run;
  checkpoint: LoadedCheckpoint;
  pairs: ReturnType<typeof matchTaskState>;
  records: MetricRecord[];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Finds the run to resume, merges its stored options under the given ones, checks both. */
export function planResume(
  task: PretextTask,
  data: DataSource,
  given: TrainOptions,
  first: ResolvedTrainOptions
): { opts: ResolvedTrainOptions; plan: ResumePlan } {
  const store = openRunStore(first.runStore as string);
  const run = first.resume === 'latest' ? store.latest(task.method) : store.get(first.resume!);
  check(
    run.config.method === task.method,
    `Run ${run.id} trained '${run.config.method}', not '${task.method}'.`,
    `Resume it with a ${run.config.method} task, or pick a ${task.method} run from openRunStore().list().`
  );
  check(
    run.checkpointPath !== undefined,
    `Run ${run.id} has no checkpoint to resume from.`,
    'It stopped before its first checkpoint; train again without resume.'
  );
  const stored = run.config.options ?? {};
  const inherited: Record<string, unknown> = {};
  for (const name of [
    'epochs',
    'budget',
    'batchSize',
    'learningRate',
    'seed',
    'optimizer',
    'momentum',
    'schedule',
    'weightDecay',
    'gradientClipNorm',
    'earlyStopping',
    'checkpointEvery',
    'runName'
  ]) {
    if (stored[name] !== undefined) {
      inherited[name] = stored[name];
    }
  }
  if (stored.optimizer !== 'sgd') {
    delete inherited.momentum;
  }
  const explicit = Object.fromEntries(
    Object.entries(given).filter(([, value]) => value !== undefined)
  ) as TrainOptions;
  if (explicit.optimizer !== undefined && explicit.optimizer !== 'sgd') {
    delete inherited.momentum;
  }
  // A given length replaces the stored one, whether it was in epochs or time.
  if (explicit.epochs !== undefined) {
    delete inherited.budget;
  }
  if (explicit.budget !== undefined) {
    delete inherited.epochs;
  }
  const opts = resolveTrainOptions({ ...(inherited as TrainOptions), ...explicit });
  for (const name of CONTINUITY) {
    if (name === 'momentum' && opts.optimizer !== 'sgd') {
      continue;
    }
    check(
      stored[name] === undefined || sameValue(stored[name], opts[name]),
      `Run ${run.id} was trained with ${name} ${JSON.stringify(stored[name])}; resuming with ${JSON.stringify(opts[name])} would not continue the same run.`,
      `Leave ${name} out (the run's value is used) or start a new run without resume.`
    );
  }
  const size = data.size;
  const shape = data.exampleShape;
  check(
    run.config.dataset.size === size && sameValue(run.config.dataset.shape, shape),
    `Run ${run.id} trained on ${run.config.dataset.size} examples of ${run.config.dataset.shape.join('x')} ('${run.config.dataset.name}'), but this data has ${size} of ${shape.join('x')}.`,
    'Resume with the same unlabeled data the run was trained on.'
  );
  // Read and check everything before touching the task: an error leaves it and the store as they were.
  const checkpoint = readCheckpoint(run.checkpointPath);
  const pairs = matchTaskState(checkpoint, task);
  const variables = task.trainableVariables();
  const slots = checkpoint.optimizerState
    .slice(1)
    .filter(s => !isExtraOptimizerState(s.entry.name));
  const perVariable = opts.optimizer === 'sgd' ? 1 : 2;
  const slotsFit =
    checkpoint.manifest.optimizer === opts.optimizer &&
    checkpoint.optimizerState[0]?.entry.name === 'iter' &&
    (slots.length === 0 || slots.length === perVariable * variables.length) &&
    slots.every((s, i) => sameValue(s.entry.shape, variables[i % variables.length].shape));
  check(
    slotsFit,
    `Checkpoint ${checkpoint.dir} holds ${checkpoint.manifest.optimizer} state for ${slots.length} slots that do not fit this task's ${variables.length} trainable variables.`,
    'Build the task exactly as for the stored run and resume again; the stored files were left as they are.'
  );
  const step = checkpoint.manifest.step;
  const records = run.metrics().filter(r => r.step <= step);
  return { opts, plan: { run, checkpoint, pairs, records } };
}

export function describeCheckpoint(dir: string | undefined, runId: string | undefined): string {
  if (!dir || !runId) {
    return '';
  }
  try {
    const { manifest } = readCheckpoint(dir);
    return ` The last checkpoint (step ${manifest.step}) of run ${runId} is intact; resume it with train(task, data, { resume: '${runId}', learningRate: ... }).`;
  } catch {
    return ` No intact checkpoint was found for run ${runId}.`;
  }
}
