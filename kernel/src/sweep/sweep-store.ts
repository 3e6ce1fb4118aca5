/**
 * A sweep's folder: sweeps/<sweep id>/ holds sweep.json (the notebook, the expanded
 * configurations, the run store they write to) and one folder per configuration with its
 * executed notebook, the kernel's record (record.json) and the outcome (result.json).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJson, writeJsonAtomic } from '../runs/files';
import { PretextError } from '../util/errors';
import { closestNames } from '../util/names';
import type { ParamSet, SweepConfig, SweepSpec } from './grid';

export interface SweepManifest {
  id: string;
  notebook: string;
  created: string;
  kernel: string;
  spec: SweepSpec;
  configs: SweepConfig[];
  runStore: string;
  /** The Ray dashboard address, when the sweep ran there. */
  ray?: string;
}

export type ConfigStatus = 'done' | 'failed' | 'stopped';

export interface ConfigResult {
  id: string;
  params: ParamSet;
  status: ConfigStatus;
  seconds: number;
  /** The executed notebook, relative to the sweep folder. */
  notebook: string;
  error?: string;
  /** The last lines of the job's log, for a failed configuration. */
  logTail?: string;
  rayJob?: string;
  finished: string;
}

export function sweepsRoot(root?: string): string {
  return path.resolve(root ?? (process.env.PRETEXT_SWEEPS || './sweeps'));
}

export const configDir = (sweepDir: string, configId: string): string =>
  path.join(sweepDir, 'configs', configId);

export function readManifest(sweepDir: string): SweepManifest | undefined {
  return readJson<SweepManifest>(path.join(sweepDir, 'sweep.json'));
}

export function writeManifest(sweepDir: string, manifest: SweepManifest): void {
  fs.mkdirSync(sweepDir, { recursive: true });
  writeJsonAtomic(path.join(sweepDir, 'sweep.json'), manifest);
}

export function readResult(sweepDir: string, configId: string): ConfigResult | undefined {
  return readJson<ConfigResult>(path.join(configDir(sweepDir, configId), 'result.json'));
}

export function writeResult(sweepDir: string, result: ConfigResult): void {
  const dir = configDir(sweepDir, result.id);
  fs.mkdirSync(dir, { recursive: true });
  writeJsonAtomic(path.join(dir, 'result.json'), result);
}

/** Every sweep id under `root`, oldest first (ids start with their creation time). */
export function sweepIds(root: string): string[] {
  if (!fs.existsSync(root)) {
    return [];
  }
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter(e => e.isDirectory() && fs.existsSync(path.join(root, e.name, 'sweep.json')))
    .map(e => e.name)
    .sort((a, b) => {
      const ca = readManifest(path.join(root, a))?.created ?? '';
      const cb = readManifest(path.join(root, b))?.created ?? '';
      return ca < cb ? -1 : ca > cb ? 1 : a < b ? -1 : 1;
    });
}

/** The folder of sweep `id`, or an error naming the nearest ids. */
export function openSweep(id: string, root?: string): { dir: string; manifest: SweepManifest } {
  const base = sweepsRoot(root);
  const dir = path.join(base, String(id));
  const manifest = !String(id).includes('/') ? readManifest(dir) : undefined;
  if (manifest) {
    return { dir, manifest };
  }
  const known = sweepIds(base);
  throw new PretextError(
    `No sweep '${String(id)}' in ${base}.`,
    known.length
      ? `Use one of the nearest ids: ${closestNames(String(id), known, 3).join(', ')}.`
      : 'Run one first: npx pretext sweep <notebook> --grid grid.yaml (or pass root: the folder that holds it).'
  );
}

/**
 * Why a resumed sweep cannot go on: its configurations differ from the stored ones. Returns
 * a readable list of differences, empty when they are the same.
 */
export function configDifferences(stored: SweepConfig[], now: SweepConfig[]): string[] {
  const differences: string[] = [];
  const byId = new Map(stored.map(c => [c.id, c]));
  for (const config of now) {
    const before = byId.get(config.id);
    if (!before) {
      differences.push(`${config.id} is new (${JSON.stringify(config.params)})`);
    } else if (JSON.stringify(before.params) !== JSON.stringify(config.params)) {
      differences.push(
        `${config.id} was ${JSON.stringify(before.params)}, now ${JSON.stringify(config.params)}`
      );
    }
    byId.delete(config.id);
  }
  for (const gone of byId.values()) {
    differences.push(`${gone.id} is no longer in the grid`);
  }
  return differences;
}
