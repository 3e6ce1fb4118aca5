/**
 * The checkpoint format: checkpoints/step-NNNNNNNN/{manifest.json, tensors.bin}, written
 * atomically and read back with its size and checksum verified. Which task variables the
 * tensors belong to is task-state.ts's concern.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor } from '../backend/tf';
import { PretextError } from '../util/errors';
import { describeFsError, fsErrorFix } from '../util/fs-errors';
import {
  CHECKPOINT_FORMAT,
  type CheckpointManifest,
  type CheckpointTensorEntry
} from '../protocol/run-files';
import { writeFileAtomic, writeJsonAtomic } from './files';

export const MANIFEST_FILE = 'manifest.json';
export const DATA_FILE = 'tensors.bin';
// The manifest's shape is part of the kernel–extension contract, defined once in protocol/.
export { CHECKPOINT_FORMAT, type CheckpointManifest };
export type TensorEntry = CheckpointTensorEntry;

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

function checkpointError(dir: string, problem: string, fix: string): PretextError {
  return new PretextError(`Checkpoint ${dir} ${problem}`, fix);
}

/** Step folders under checkpoints/, newest last; temp folders are ignored. */
export function checkpointDirs(checkpointsDir: string): string[] {
  if (!fs.existsSync(checkpointsDir)) {
    return [];
  }
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
  const final = path.join(checkpointsDir, `step-${String(content.step).padStart(8, '0')}`);
  let previous: string[] = [];
  try {
    fs.mkdirSync(checkpointsDir, { recursive: true });
    previous = checkpointDirs(checkpointsDir);
    fs.mkdirSync(temp);
    writeFileAtomic(path.join(temp, DATA_FILE), data);
    writeJsonAtomic(path.join(temp, MANIFEST_FILE), manifest);
    if (fs.existsSync(final)) {
      const old = `${temp}-old`;
      fs.renameSync(final, old);
      fs.renameSync(temp, final);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(temp, final);
    }
  } catch (error) {
    // Leave no half checkpoint behind; the previous one is still complete.
    try {
      fs.rmSync(temp, { recursive: true, force: true });
    } catch {
      // Nothing more can be done on a file system that refuses even this.
    }
    const last = previous.filter(dir => dir !== final).at(-1);
    throw new PretextError(
      `Could not write the checkpoint of step ${content.step} to ${checkpointsDir}: ${describeFsError(error)}. ${last ? `The previous checkpoint (${path.basename(last)}) is intact.` : 'The run has no earlier checkpoint.'}`,
      `${fsErrorFix(error, checkpointsDir)}, then resume the run with train(task, data, { resume: '${path.basename(runDir)}' })${last ? '' : ' or train again'}.`
    );
  }
  for (const dir of previous) {
    if (dir !== final) {
      fs.rmSync(dir, { recursive: true, force: true });
    }
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
