/**
 * The MIME payloads (`application/vnd.pretext.<kind>+json`): their types and JSON Schemas.
 * Readers must accept every older version (see version.ts); unknown extra fields are allowed,
 * so an older extension still renders what it knows of a newer payload.
 */
import {
  DRAFT_07,
  MESSAGE_KEYWORD as M,
  finiteNumber,
  optionalString,
  versionField
} from './schema';
import type { JsonSchema } from './schema';
import { WRITTEN_STATUSES, type RunStatus } from './status';

/** A Vega-Lite spec, kept opaque: vega-lite itself reports spec errors. */
export type VegaLiteSpec = Record<string, unknown>;

export interface ChartPayload {
  version?: number;
  spec: VegaLiteSpec;
  /** Shown above the chart; absent when the spec has its own title. */
  title?: string;
}

export interface DashboardProgress {
  step: number;
  totalSteps: number;
  epoch?: number;
  totalEpochs?: number;
  elapsedSec?: number;
  samplesPerSec?: number;
  etaSec?: number;
  /** A time-budgeted run's budget in seconds (its totalSteps are the planned steps). */
  budgetSec?: number;
}

export interface DashboardPayload {
  version?: number;
  title: string;
  /** A RunStatus; readers keep an unknown one (from a newer kernel) as text. */
  status: RunStatus | string;
  progress: DashboardProgress;
  /** Latest metric values; null stands for NaN/Infinity, which JSON cannot hold. */
  metrics: Record<string, number | null>;
  message?: string;
  chart?: { spec: VegaLiteSpec };
}

export const COLUMN_FORMATS = ['percent', 'number', 'text'] as const;
export type ColumnFormat = (typeof COLUMN_FORMATS)[number];
export type CellValue = string | number | null;

export interface TableColumn {
  name: string;
  label?: string;
  format?: ColumnFormat;
}

export interface TablePayload {
  version?: number;
  title?: string;
  columns: TableColumn[];
  rows: Record<string, CellValue>[];
  caption?: string;
}

export interface GuideStep {
  id: string;
  title: string;
  done: boolean;
  detail: string;
}

export interface GuidePayload {
  version?: number;
  steps: GuideStep[];
  advice: { level: 'info' | 'warning'; text: string }[];
}

const specSchema: JsonSchema = {
  type: 'object',
  [M]: "'{path}' must be a Vega-Lite spec object (got {got})"
};

export const CHART_SCHEMA: JsonSchema = {
  $schema: DRAFT_07,
  title: 'Pretext chart payload',
  type: 'object',
  required: ['spec'],
  properties: { version: versionField, spec: specSchema, title: optionalString() }
};

export const DASHBOARD_SCHEMA: JsonSchema = {
  $schema: DRAFT_07,
  title: 'Pretext training dashboard payload',
  type: 'object',
  required: ['status', 'progress'],
  properties: {
    version: versionField,
    title: optionalString(),
    status: {
      type: 'string',
      minLength: 1,
      [M]: `'status' must be one of ${WRITTEN_STATUSES.join(', ')}`
    },
    progress: {
      type: 'object',
      required: ['step', 'totalSteps'],
      [M]: "'progress' must be an object with 'step' and 'totalSteps'",
      properties: {
        step: finiteNumber(),
        totalSteps: finiteNumber(),
        epoch: finiteNumber(true),
        totalEpochs: finiteNumber(true),
        elapsedSec: finiteNumber(true),
        samplesPerSec: finiteNumber(true),
        etaSec: finiteNumber(true),
        budgetSec: finiteNumber(true)
      }
    },
    metrics: {
      type: ['object', 'null'],
      [M]: "'metrics' must be an object mapping metric names to numbers",
      additionalProperties: {
        type: ['number', 'null'],
        [M]: "metric '{key}' must be a number or null (got {got})"
      }
    },
    message: optionalString(),
    chart: {
      type: ['object', 'null'],
      required: ['spec'],
      [M]: "'chart' must be an object with a 'spec'",
      properties: { spec: specSchema }
    }
  }
};

export const TABLE_SCHEMA: JsonSchema = {
  $schema: DRAFT_07,
  title: 'Pretext results table payload',
  type: 'object',
  required: ['columns', 'rows'],
  properties: {
    version: versionField,
    title: optionalString(),
    caption: optionalString(),
    columns: {
      type: 'array',
      minItems: 1,
      [M]: "'columns' must be a non-empty array of {name, label?, format?}",
      items: {
        type: 'object',
        required: ['name'],
        [M]: "column {n} must be an object with a non-empty 'name'",
        properties: {
          name: { type: 'string', minLength: 1 },
          label: optionalString(),
          format: {
            enum: [...COLUMN_FORMATS, null],
            [M]: `column '{name}': 'format' must be one of ${COLUMN_FORMATS.join(', ')}`
          }
        }
      }
    },
    rows: {
      type: 'array',
      [M]: "'rows' must be an array of objects keyed by column name",
      items: {
        type: 'object',
        [M]: 'row {n} must be an object keyed by column name',
        // Booleans are shown as text; objects would be markup waiting to happen.
        additionalProperties: {
          type: ['string', 'number', 'boolean', 'null'],
          [M]: "row {n}, column '{key}': expected a string, number or null (got {got})"
        }
      }
    }
  }
};

export const GUIDE_SCHEMA: JsonSchema = {
  $schema: DRAFT_07,
  title: 'Pretext guide payload',
  type: 'object',
  required: ['steps'],
  properties: {
    version: versionField,
    steps: {
      type: 'array',
      [M]: "'steps' must be a list of steps",
      items: {
        type: 'object',
        required: ['id', 'title', 'done', 'detail'],
        [M]: "'{path}' must be an object",
        // Field-level messages, so the extension names the field that is wrong.
        properties: {
          id: { type: 'string', [M]: "'{path}' must be a string" },
          title: { type: 'string', [M]: "'{path}' must be a string" },
          detail: { type: 'string', [M]: "'{path}' must be a string" },
          done: { type: 'boolean', [M]: "'{path}' must be true or false" }
        }
      }
    },
    advice: {
      type: ['array', 'null'],
      [M]: "'advice' must be a list",
      items: {
        type: 'object',
        required: ['text'],
        [M]: "'{path}' must be an object with a 'text' string",
        properties: { text: { type: 'string' }, level: { type: 'string' } }
      }
    }
  }
};

/** The schema of each MIME kind's payload. */
export const PAYLOAD_SCHEMAS = {
  chart: CHART_SCHEMA,
  dashboard: DASHBOARD_SCHEMA,
  table: TABLE_SCHEMA,
  guide: GUIDE_SCHEMA
} as const;
