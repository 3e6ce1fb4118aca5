import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, type Tensor, type Variable } from '../backend/tf';
import type { PretextTask } from '../tasks/task';
import { PretextError } from '../util/errors';
import { writeFileAtomic, writeJsonAtomic } from './files';

export const CHECKPOINT_FORMAT = 'pretext-checkpoint';
export const MANIFEST_FILE = 'manifest.json';
export const DATA_FILE = 'tensors.bin';

export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Byte offset into tensors.bin. */
  offset: number;
  bytes: number;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  method: string;
  /** Completed optimiser steps. */
  step: number;
  /** 'task' when the task names its state (stateVariables()), 'default' otherwise. */
  naming: 'task' | 'default';
  optimizer: string;
  task: TensorEntry[];
  optimizerState: TensorEntry[];
  /** Engine counters: epochs done, early-stopping state, elapsed seconds, ... */
  engine: Record<string, unknown>;
  bytes: number;
  sha256: string;
  created: string;
}

export interface LoadedTensor {
  entry: TensorEntry;
  values: Float32Array | Int32Array;
}

export interface LoadedCheckpoint {
  dir: string;
  manifest: CheckpointManifest;
  task: LoadedTensor[];
  optimizerState: LoadedTensor[];
}

/** The state a task is checkpointed by: its own names, or its trainable variables by name. */
export function taskState(task: PretextTask): {
  naming: 'task' | 'default';
  variables: Record<string, Variable>;
} {
  if (task.stateVariables) return { naming: 'task', variables: task.stateVariables() };
  const variables: Record<string, Variable> = {};
  for (const v of task.trainableVariables()) variables[v.name] = v;
  return { naming: 'default', variables };
}

function checkpointError(dir: string, problem: string, fix: string): PretextError {
  return new PretextError(`Checkpoint ${dir} ${problem}`, fix);
}

/** Step folders under checkpoints/, newest last; temp folders are ignored. */
export function checkpointDirs(checkpointsDir: string): string[] {
  if (!fs.existsSync(checkpointsDir)) return [];
  return fs
    .readdirSync(checkpointsDir)
    .filter(name => /^step-\d+$/.test(name))
    .sort()
    .map(name => path.join(checkpointsDir, name));
}

async function encode(
  named: { name: string; tensor: Tensor }[],
  chunks: Uint8Array[],
  offset: { value: number }
): Promise<TensorEntry[]> {
  const entries: TensorEntry[] = [];
  for (const { name, tensor } of named) {
    if (tensor.dtype !== 'float32' && tensor.dtype !== 'int32') {
      throw new PretextError(
        `Cannot checkpoint '${name}': dtype ${tensor.dtype} is not float32 or int32.`,
        'Keep task state in float32 or int32 variables.'
      );
    }
    const values = (await tensor.data()) as Float32Array | Int32Array;
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    chunks.push(bytes);
    entries.push({
      name,
      shape: [...tensor.shape],
      dtype: tensor.dtype,
      offset: offset.value,
      bytes: bytes.byteLength
    });
    offset.value += bytes.byteLength;
  }
  return entries;
}

/**
 * Writes a checkpoint as checkpoints/step-NNNNNNNN/{manifest.json, tensors.bin}. Everything is
 * written into a temp folder first and renamed into place, so an interrupted write never leaves
 * a half checkpoint; older step folders are removed only after the new one is complete.
 */
export async function writeCheckpoint(
  runDir: string,
  content: {
    method: string;
    step: number;
    optimizer: string;
    naming: 'task' | 'default';
    task: { name: string; tensor: Tensor }[];
    optimizerState: { name: string; tensor: Tensor }[];
    engine: Record<string, unknown>;
  }
): Promise<string> {
  const checkpointsDir = path.join(runDir, 'checkpoints');
  fs.mkdirSync(checkpointsDir, { recursive: true });
  const chunks: Uint8Array[] = [];
  const offset = { value: 0 };
  const task = await encode(content.task, chunks, offset);
  const optimizerState = await encode(content.optimizerState, chunks, offset);
  const data = Buffer.concat(chunks);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: 1,
    method: content.method,
    step: content.step,
    naming: content.naming,
    optimizer: content.optimizer,
    task,
    optimizerState,
    engine: content.engine,
    bytes: data.byteLength,
    sha256: createHash('sha256').update(data).digest('hex'),
    created: new Date().toISOString()
  };
  const temp = path.join(checkpointsDir, `.tmp-${process.pid}-${randomBytes(3).toString('hex')}`);
  fs.mkdirSync(temp);
  writeFileAtomic(path.join(temp, DATA_FILE), data);
  writeJsonAtomic(path.join(temp, MANIFEST_FILE), manifest);
  const final = path.join(checkpointsDir, `step-${String(content.step).padStart(8, '0')}`);
  const previous = checkpointDirs(checkpointsDir);
  if (fs.existsSync(final)) {
    const old = `${temp}-old`;
    fs.renameSync(final, old);
    fs.renameSync(temp, final);
    fs.rmSync(old, { recursive: true, force: true });
  } else {
    fs.renameSync(temp, final);
  }
  for (const dir of previous) {
    if (dir !== final) fs.rmSync(dir, { recursive: true, force: true });
  }
  return final;
}

function decode(dir: string, data: Buffer, entries: TensorEntry[]): LoadedTensor[] {
  return entries.map(entry => {
    const count = entry.shape.reduce((a, b) => a * b, 1);
    if (entry.bytes !== count * 4 || entry.offset + entry.bytes > data.byteLength) {
      throw checkpointError(
        dir,
        `is corrupt: '${entry.name}' (shape [${entry.shape.join(', ')}]) does not fit ${DATA_FILE}.`,
        'Resume from another run, or train again; the stored files were left as they are.'
      );
    }
    const copy = new Uint8Array(entry.bytes);
    copy.set(data.subarray(entry.offset, entry.offset + entry.bytes));
    const values =
      entry.dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer);
    return { entry, values };
  });
}

/** Reads and verifies a checkpoint folder (size and checksum); never writes to it. */
export function readCheckpoint(dir: string): LoadedCheckpoint {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  const dataFile = path.join(dir, DATA_FILE);
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as CheckpointManifest;
  } catch (error) {
    throw checkpointError(
      dir,
      `has no readable ${MANIFEST_FILE} (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).`,
      'Resume from another run, or train again; the stored files were left as they are.'
    );
  }
  if (manifest?.format !== CHECKPOINT_FORMAT || !Array.isArray(manifest.task)) {
    throw checkpointError(
      dir,
      `has a ${MANIFEST_FILE} that is not a Pretext checkpoint manifest.`,
      'Point resume at a run written by Pretext train().'
    );
  }
  if (!fs.existsSync(dataFile)) {
    throw checkpointError(
      dir,
      `is missing ${DATA_FILE}.`,
      'Resume from another run, or train again; the stored files were left as they are.'
    );
  }
  const data = fs.readFileSync(dataFile);
  if (data.byteLength !== manifest.bytes) {
    throw checkpointError(
      dir,
      `is corrupt: ${DATA_FILE} has ${data.byteLength} bytes but the manifest records ${manifest.bytes} (the file is ${data.byteLength < manifest.bytes ? 'truncated' : 'too long'}).`,
      'Resume from another run, or train again; the stored files were left as they are.'
    );
  }
  const sha = createHash('sha256').update(data).digest('hex');
  if (sha !== manifest.sha256) {
    throw checkpointError(
      dir,
      `is corrupt: the checksum of ${DATA_FILE} does not match its manifest.`,
      'Resume from another run, or train again; the stored files were left as they are.'
    );
  }
  return {
    dir,
    manifest,
    task: decode(dir, data, manifest.task),
    optimizerState: decode(dir, data, manifest.optimizerState ?? [])
  };
}

/** tfjs makes variable names unique with counters ('dense_Dense3/kernel'); compare without them. */
function structuralName(name: string): string {
  return name.replace(/\d+/g, '#');
}

/**
 * Pairs each stored tensor with a task variable, or throws a PretextError naming every
 * mismatch. Tasks with stateVariables() match by name; the default naming (tfjs variable names)
 * also matches in order when names differ only by tfjs's uniqueness counters, as they do when
 * the same task is built again in the same kernel.
 */
export function matchTaskState(
  checkpoint: LoadedCheckpoint,
  task: PretextTask
): { variable: Variable; stored: LoadedTensor }[] {
  const { naming, variables } = taskState(task);
  const names = Object.keys(variables);
  const stored = checkpoint.task;
  const problems: string[] = [];
  let pairs: { variable: Variable; stored: LoadedTensor }[] = [];
  const byName = new Map(stored.map(s => [s.entry.name, s]));
  const exact = names.length === stored.length && names.every(n => byName.has(n));
  if (exact) {
    pairs = names.map(n => ({ variable: variables[n], stored: byName.get(n)! }));
  } else if (
    naming === 'default' &&
    names.length === stored.length &&
    names.every((n, i) => structuralName(n) === structuralName(stored[i].entry.name))
  ) {
    pairs = names.map((n, i) => ({ variable: variables[n], stored: stored[i] }));
  } else {
    const missing = stored.filter(s => !names.includes(s.entry.name)).map(s => s.entry.name);
    const extra = names.filter(n => !byName.has(n));
    if (missing.length) problems.push(`stored but not in the task: ${missing.join(', ')}`);
    if (extra.length) problems.push(`in the task but not stored: ${extra.join(', ')}`);
  }
  for (const { variable, stored: s } of pairs) {
    if (
      variable.shape.length !== s.entry.shape.length ||
      variable.shape.some((d, i) => d !== s.entry.shape[i])
    ) {
      problems.push(
        `'${s.entry.name}' is [${s.entry.shape.join(', ')}] in the checkpoint but [${variable.shape.join(', ')}] in the task`
      );
    } else if (variable.dtype !== s.entry.dtype) {
      problems.push(
        `'${s.entry.name}' is ${s.entry.dtype} stored but ${variable.dtype} in the task`
      );
    }
  }
  if (problems.length) {
    throw new PretextError(
      `Checkpoint ${checkpoint.dir} (method '${checkpoint.manifest.method}') does not match this ${task.method} task: ${problems.join('; ')}.`,
      `Build the task exactly as for the stored run (same method, encoder and head sizes${naming === 'default' ? ', built in the same order' : ''}) and load again; the stored files were left as they are.`
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
