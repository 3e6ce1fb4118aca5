/**
 * Reading run folders straight from disk. The sweep command runs outside a kernel and must not
 * load TensorFlow, which runs/store.ts does (it records the backend), so this reads the same
 * files (config.json, summary.json, metrics.jsonl) without it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJson } from '../runs/files';

export interface RunFiles {
  id: string;
  method: string;
  created: string;
  status: string;
  finalLoss: number | null;
  steps: number;
  /** The last step's loss, as metrics.jsonl holds it. */
  lastLoss: number | undefined;
  /** The last value of each monitored metric (knn, rankRatio, ...). */
  monitors: Record<string, number>;
}

export function runStoreRoot(root?: string): string {
  return path.resolve(root ?? (process.env.PRETEXT_RUNS || './runs'));
}

export function runIds(root: string): string[] {
  if (!fs.existsSync(root)) {
    return [];
  }
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter(e => e.isDirectory() && fs.existsSync(path.join(root, e.name, 'config.json')))
    .map(e => e.name)
    .sort();
}

const STEP_FIELDS = new Set(['step', 'epoch', 'loss', 'lr', 'gradNorm']);

export function readRunFiles(root: string, id: string): RunFiles | undefined {
  const dir = path.join(root, id);
  const config = readJson<{ method?: string; created?: string }>(path.join(dir, 'config.json'));
  if (!config) {
    return undefined;
  }
  const summary = readJson<{ status?: string; finalLoss?: number | null; steps?: number }>(
    path.join(dir, 'summary.json')
  );
  let lastLoss: number | undefined;
  const monitors: Record<string, number> = {};
  const metricsFile = path.join(dir, 'metrics.jsonl');
  if (fs.existsSync(metricsFile)) {
    for (const line of fs.readFileSync(metricsFile, 'utf8').split('\n')) {
      if (!line.trim()) {
        continue;
      }
      try {
        const record = JSON.parse(line) as Record<string, number>;
        if (typeof record.loss === 'number') {
          lastLoss = record.loss;
        }
        for (const [name, value] of Object.entries(record)) {
          if (!STEP_FIELDS.has(name) && typeof value === 'number') {
            monitors[name] = value;
          }
        }
      } catch {
        // A line cut short by a crash mid-append; the rest is still good.
      }
    }
  }
  return {
    id,
    method: config.method ?? 'unknown',
    created: config.created ?? '',
    status: summary?.status ?? 'unknown',
    finalLoss: summary?.finalLoss ?? null,
    steps: summary?.steps ?? 0,
    lastLoss,
    monitors
  };
}
