/**
 * Sweep specifications: what to vary and how, expanded into the list of configurations a
 * sweep runs. A spec file is JSON or YAML with any of
 *
 *   grid:    { temperature: [0.1, 0.2], strength: [0.5, 1] }   every combination
 *   zip:     { lr: [1e-3, 3e-3], batchSize: [64, 128] }        varied together, same length
 *   seeds:   [0, 1, 2]        (or { name: 'seed', values: [...] })  every config per seed
 *   fixed:   { epochs: 2 }                                      the same in every config
 *   configs: [{ ... }, { ... }]                                 listed by hand
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { load as loadYaml } from 'js-yaml';
import { PretextError } from '../util/errors';

export type ParamValue = unknown;
export type ParamSet = Record<string, ParamValue>;

export interface SweepSpec {
  grid?: Record<string, ParamValue[]>;
  zip?: Record<string, ParamValue[]>;
  seeds?: number[] | { name?: string; values: number[] };
  fixed?: ParamSet;
  configs?: ParamSet[];
}

export interface SweepConfig {
  /** c001, c002, ...: the position in the expanded list. */
  id: string;
  params: ParamSet;
}

const SPEC_KEYS = ['grid', 'zip', 'seeds', 'fixed', 'configs'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a parsed spec's shape, so a malformed file fails here with its name, not mid-sweep. */
export function checkSpec(raw: unknown, source: string): SweepSpec {
  if (!isRecord(raw)) {
    throw new PretextError(
      `${source} is not a sweep specification (an object with grid, zip, seeds, fixed or configs).`,
      'Write e.g. {"grid": {"temperature": [0.1, 0.2]}}.'
    );
  }
  for (const key of Object.keys(raw)) {
    if (!SPEC_KEYS.includes(key)) {
      throw new PretextError(
        `${source} has an unknown key '${key}'.`,
        `Use only: ${SPEC_KEYS.join(', ')}.`
      );
    }
  }
  for (const key of ['grid', 'zip'] as const) {
    const axes = raw[key];
    if (axes === undefined) {
      continue;
    }
    if (!isRecord(axes)) {
      throw new PretextError(
        `${source}: '${key}' must map parameter names to lists of values.`,
        `Write e.g. ${key}: { temperature: [0.1, 0.2] }.`
      );
    }
    for (const [name, values] of Object.entries(axes)) {
      if (!Array.isArray(values) || values.length === 0) {
        throw new PretextError(
          `${source}: ${key}.${name} must be a non-empty list of values, got ${JSON.stringify(values)}.`,
          `Write e.g. ${name}: [${JSON.stringify(values ?? 1)}].`
        );
      }
    }
  }
  if (raw.zip !== undefined) {
    const lengths = Object.entries(raw.zip as Record<string, unknown[]>).map(
      ([name, values]) => `${name}: ${values.length}`
    );
    if (new Set(Object.values(raw.zip as Record<string, unknown[]>).map(v => v.length)).size > 1) {
      throw new PretextError(
        `${source}: the zip lists differ in length (${lengths.join(', ')}).`,
        'Give every zip list the same number of values; use grid for every combination.'
      );
    }
  }
  if (raw.seeds !== undefined) {
    const seeds = raw.seeds;
    const values = Array.isArray(seeds) ? seeds : isRecord(seeds) ? seeds.values : undefined;
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      !values.every(v => Number.isInteger(v)) ||
      (isRecord(seeds) && seeds.name !== undefined && typeof seeds.name !== 'string')
    ) {
      throw new PretextError(
        `${source}: seeds must be a non-empty list of integers (or { name, values }).`,
        'Write e.g. seeds: [0, 1, 2].'
      );
    }
  }
  if (raw.fixed !== undefined && !isRecord(raw.fixed)) {
    throw new PretextError(
      `${source}: 'fixed' must be an object.`,
      'Write e.g. fixed: { epochs: 2 }.'
    );
  }
  if (raw.configs !== undefined) {
    if (!Array.isArray(raw.configs) || !raw.configs.every(isRecord)) {
      throw new PretextError(
        `${source}: 'configs' must be a list of objects (one per configuration).`,
        'Write e.g. configs: [{ temperature: 0.1 }, { temperature: 0.5 }].'
      );
    }
  }
  return raw as SweepSpec;
}

/** Reads a spec file: .yaml/.yml as YAML, anything else as JSON. */
export function readSpecFile(file: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PretextError(
      `Cannot read the grid file ${file}: ${(error as Error).message}`,
      'Pass the path of a JSON or YAML file with --grid.'
    );
  }
  const yaml = ['.yaml', '.yml'].includes(extname(file).toLowerCase());
  let raw: unknown;
  try {
    raw = yaml ? loadYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new PretextError(
      `The grid file ${file} is not valid ${yaml ? 'YAML' : 'JSON'}: ${(error as Error).message.split('\n')[0]}`,
      'Fix the syntax (name the file .yaml for YAML).'
    );
  }
  return checkSpec(raw, file);
}

/**
 * One value of a `-p name=v1,v2` flag: JSON when it parses (numbers, booleans, null, lists,
 * objects, quoted strings), the raw text otherwise.
 */
function parseValue(text: string): ParamValue {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Splits on commas outside brackets, braces and quotes, so `-p hidden=[64,64],[128]` works. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') {
        i++;
      } else if (c === quote) {
        quote = null;
      }
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[' || c === '{') {
      depth++;
    } else if (c === ']' || c === '}') {
      depth--;
    } else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map(p => p.trim());
}

/** `-p temperature=0.1,0.2 -p method=simclr` → a grid over the listed values. */
export function gridFromFlags(flags: string[]): Record<string, ParamValue[]> {
  const grid: Record<string, ParamValue[]> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const name = eq > 0 ? flag.slice(0, eq).trim() : '';
    if (!name || eq === flag.length - 1) {
      throw new PretextError(
        `Cannot read the parameter flag '-p ${flag}'.`,
        'Write -p name=value or -p name=value1,value2 (values are JSON, or plain text).'
      );
    }
    grid[name] = splitTopLevel(flag.slice(eq + 1)).map(parseValue);
  }
  return grid;
}

/** Merges specs (a file and flags): flags' grid axes replace the file's of the same name. */
export function mergeSpecs(...specs: SweepSpec[]): SweepSpec {
  const merged: SweepSpec = {};
  for (const spec of specs) {
    if (spec.grid) {
      merged.grid = { ...merged.grid, ...spec.grid };
    }
    if (spec.zip) {
      merged.zip = { ...merged.zip, ...spec.zip };
    }
    if (spec.fixed) {
      merged.fixed = { ...merged.fixed, ...spec.fixed };
    }
    if (spec.seeds) {
      merged.seeds = spec.seeds;
    }
    if (spec.configs) {
      merged.configs = [...(merged.configs ?? []), ...spec.configs];
    }
  }
  return merged;
}

/**
 * Expands a spec: listed configs (or one empty config), times every grid combination, times
 * the zipped rows, times the seeds, each with the fixed values underneath.
 */
export function expandSpec(spec: SweepSpec): SweepConfig[] {
  let sets: ParamSet[] = spec.configs?.length ? spec.configs.map(c => ({ ...c })) : [{}];
  for (const [name, values] of Object.entries(spec.grid ?? {})) {
    sets = sets.flatMap(set => values.map(value => ({ ...set, [name]: value })));
  }
  const zip = Object.entries(spec.zip ?? {});
  if (zip.length) {
    const rows = zip[0][1].map((_, i) => Object.fromEntries(zip.map(([n, vs]) => [n, vs[i]])));
    sets = sets.flatMap(set => rows.map(row => ({ ...set, ...row })));
  }
  if (spec.seeds) {
    const name = Array.isArray(spec.seeds) ? 'seed' : (spec.seeds.name ?? 'seed');
    const values = Array.isArray(spec.seeds) ? spec.seeds : spec.seeds.values;
    sets = sets.flatMap(set => values.map(seed => ({ ...set, [name]: seed })));
  }
  const configs = sets.map(set => ({ ...(spec.fixed ?? {}), ...set }));
  const varies =
    Object.keys(spec.grid ?? {}).length +
    zip.length +
    (spec.seeds ? 1 : 0) +
    (spec.configs?.length ?? 0);
  if (varies === 0 && Object.keys(spec.fixed ?? {}).length === 0) {
    throw new PretextError(
      'The sweep is empty: the grid names no parameter to vary.',
      'Pass --grid grid.yaml or flags such as -p temperature=0.1,0.2.'
    );
  }
  const width = Math.max(3, String(configs.length).length);
  return configs.map((params, i) => ({ id: `c${String(i + 1).padStart(width, '0')}`, params }));
}

/** A short label for a configuration: only the values that vary across the sweep. */
export function describeConfig(params: ParamSet, varying: string[]): string {
  return varying
    .filter(name => name in params)
    .map(name => `${name}=${JSON.stringify(params[name])}`)
    .join(' ');
}

/** Names whose values differ between configurations (what the report's rows are told apart by). */
export function varyingNames(configs: SweepConfig[]): string[] {
  const names = [...new Set(configs.flatMap(c => Object.keys(c.params)))];
  const varying = names.filter(
    name => new Set(configs.map(c => JSON.stringify(c.params[name]))).size > 1
  );
  return varying.length ? varying : names;
}
