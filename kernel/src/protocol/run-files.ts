/**
 * The run store's files, one folder per run: config.json (written first), summary.json
 * (rewritten as the run goes), metrics.jsonl (one MetricRecord per line, appended) and
 * checkpoints/step-NNNNNNNN/manifest.json. Types and JSON Schemas; the kernel writes them
 * (runs/store.ts, train/callbacks/recorder.ts, runs/checkpoint.ts), the extension reads them.
 * Files without `version` are version 0 (see version.ts) and read the same.
 */
import {
  DRAFT_07,
  MESSAGE_KEYWORD as M,
  finiteNumber,
  optionalString,
  versionField
} from './schema';
import type { JsonSchema } from './schema';
import type { RunStatus } from './status';

export interface RunConfig {
  version?: number;
  id: string;
  name?: string;
  method: string;
  created: string;
  task: Record<string, unknown>;
  options: Record<string, unknown>;
  dataset: { name: string; size: number; shape: number[] };
  seed: number;
  resumes?: { at: string; fromStep: number; options: Record<string, unknown> }[];
}

/**
 * summary.json. 'interrupted' is derived by readers for a 'running' run whose process is gone
 * (same host, pid not alive) or whose heartbeat is older than STALE_HEARTBEAT_MS.
 */
export interface RunSummary {
  version?: number;
  status: RunStatus;
  finalLoss: number | null;
  steps: number;
  epochs: number;
  seconds: number;
  message?: string;
  updated: string;
  /** The training process, while it runs: its id, host and last sign of life. */
  pid?: number;
  host?: string;
  heartbeat?: string;
  /** A time-budgeted run: its budget, the steps planned for it and the steps done. */
  budget?: { seconds: number; plannedSteps: number | null; doneSteps: number; replans: number };
}

/** One line of metrics.jsonl; a NaN loss is stored as null (JSON has no NaN). */
export interface MetricRecord {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  gradNorm?: number;
  [metric: string]: number | undefined;
}

export const CHECKPOINT_FORMAT = 'pretext-checkpoint';

export interface CheckpointTensorEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** Byte offset into tensors.bin. */
  offset: number;
  bytes: number;
}

/** checkpoints/step-NNNNNNNN/manifest.json, beside tensors.bin (its own format version). */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  method: string;
  /** Completed optimiser steps. */
  step: number;
  /** 'task' when the task names its state (stateVariables()), 'default' otherwise. */
  naming: 'task' | 'default';
  optimizer: string;
  task: CheckpointTensorEntry[];
  optimizerState: CheckpointTensorEntry[];
  /** Engine counters: epochs done, early-stopping state, elapsed seconds, ... */
  engine: Record<string, unknown>;
  bytes: number;
  sha256: string;
  created: string;
}

const isoTime = (): JsonSchema => ({
  type: 'string',
  [M]: "'{path}' must be an ISO time string"
});

export const RUN_CONFIG_SCHEMA: JsonSchema = {
  $schema: DRAFT_07,
  title: 'Pretext run config.json',
  type: 'object',
  required: ['method'],
  properties: {
    version: versionField,
    id: { type: 'string', [M]: "'id' must be a string" },
    name: optionalString(),
    method: { type: 'string', minLength: 1, [M]: "config.json has no 'method'" },
    created: isoTime(),
    task: { type: 'object', [M]: "'task' must be an object" },
    options: { type: 'object', [M]: "'options' must be an object" },
    dataset: {
      type: ['object', 'null'],
      [M]: "'dataset' must be an object {name, size, shape}",
      properties: {
        name: { type: 'string', [M]: "'dataset.name' must be a string" },
        size: finiteNumber(),
        shape: { type: 'array', items: { type: 'number' }, [M]: "'{path}' must be numbers" }
      }
    },
    seed: finiteNumber(),
    resumes: {
      type: 'array',
      [M]: "'resumes' must be a list of {at, fromStep, options}",
      items: {
        type: 'object',
        required: ['at', 'fromStep'],
        properties: { at: isoTime(), fromStep: finiteNumber(), options: { type: 'object' } }
      }
    }
  }
};

export const RUN_SUMMARY_SCHEMA: JsonSchema = {
  $schema: DRAFT_07,
  title: 'Pretext run summary.json',
  type: 'object',
  required: ['status'],
  properties: {
    version: versionField,
    status: { type: 'string', minLength: 1, [M]: "'status' must be a run status" },
    finalLoss: finiteNumber(true),
    steps: finiteNumber(),
    epochs: finiteNumber(),
    seconds: finiteNumber(),
    message: optionalString(),
    updated: isoTime(),
    pid: { type: 'integer', [M]: "'pid' must be a process id" },
    host: { type: 'string', [M]: "'host' must be a string" },
    heartbeat: isoTime(),
    budget: {
      type: 'object',
      required: ['seconds', 'doneSteps'],
      [M]: "'budget' must be {seconds, plannedSteps, doneSteps, replans}",
      properties: {
        seconds: finiteNumber(),
        plannedSteps: finiteNumber(true),
        doneSteps: finiteNumber(),
        replans: finiteNumber()
      }
    }
  }
};

export const METRIC_RECORD_SCHEMA: JsonSchema = {
  $schema: DRAFT_07,
  title: 'Pretext metrics.jsonl line',
  type: 'object',
  required: ['step'],
  [M]: 'a metrics line must be an object with a numeric step',
  properties: {
    step: finiteNumber(),
    epoch: finiteNumber(true),
    loss: finiteNumber(true),
    lr: finiteNumber(true),
    gradNorm: finiteNumber(true)
  },
  // Monitors add their own metrics (knn, collapse, ...): numbers, or null for NaN.
  additionalProperties: { type: ['number', 'null'], [M]: "metric '{key}' must be a number" }
};

const tensorEntry: JsonSchema = {
  type: 'object',
  required: ['name', 'shape', 'dtype', 'offset', 'bytes'],
  properties: {
    name: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
    dtype: { enum: ['float32', 'int32'] },
    offset: { type: 'integer', minimum: 0 },
    bytes: { type: 'integer', minimum: 0 }
  }
};

export const CHECKPOINT_MANIFEST_SCHEMA: JsonSchema = {
  $schema: DRAFT_07,
  title: 'Pretext checkpoint manifest.json',
  type: 'object',
  required: [
    'format',
    'version',
    'method',
    'step',
    'naming',
    'optimizer',
    'task',
    'optimizerState',
    'engine',
    'bytes',
    'sha256',
    'created'
  ],
  properties: {
    format: { const: CHECKPOINT_FORMAT },
    version: { const: 1 },
    method: { type: 'string' },
    step: { type: 'integer', minimum: 0 },
    naming: { enum: ['task', 'default'] },
    optimizer: { type: 'string' },
    task: { type: 'array', items: tensorEntry },
    optimizerState: { type: 'array', items: tensorEntry },
    engine: { type: 'object' },
    bytes: { type: 'integer', minimum: 0 },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    created: { type: 'string' }
  }
};

/** The schema of each run-store file. */
export const RUN_FILE_SCHEMAS = {
  config: RUN_CONFIG_SCHEMA,
  summary: RUN_SUMMARY_SCHEMA,
  metric: METRIC_RECORD_SCHEMA,
  checkpointManifest: CHECKPOINT_MANIFEST_SCHEMA
} as const;
