/**
 * The sweep report: one row per configuration (its varying values, status, wall time, the
 * runs it trained with their final loss and kNN, and whatever the notebook reported), as a
 * table and a chart in a notebook (`px.sweepReport(id)`) and as report.md / report.html /
 * report.json in the sweep folder. Every number comes from the run store or from what the
 * notebook recorded, never from the sweep's own bookkeeping.
 */
import * as fs from 'node:fs';
import { inspect } from 'node:util';
import * as path from 'node:path';
import { Chart, show } from '../render/chart';
import type { MimeBundle } from '../render/mime';
import { escapeHtml, formatCell, Table, type CellValue, type TableColumn } from '../render/table';
import { sweepMetricsSpec } from '../render/specs';
import { specToSvg } from '../render/vega';
import { readJson } from '../runs/files';
import { TRACKING_FILE } from '../tracking/run-upload';
import { checkOptionNames } from '../util/errors';
import { describeConfig, varyingNames } from './grid';
import type { SweepRecord } from './recorder';
import { readRunFiles } from './run-files';
import { configDir, openSweep, readResult, type SweepManifest } from './sweep-store';

export interface SweepRow {
  config: string;
  label: string;
  params: Record<string, unknown>;
  status: string;
  seconds: number | null;
  runIds: string[];
  /** The linked runs' copies on MLflow tracking servers ('<mlflow run id> @ <server>'). */
  tracking: string[];
  /** The last linked run's final epoch-mean loss, from its summary.json. */
  finalLoss: number | null;
  /** The last linked run's last kNN monitor value, from its metrics.jsonl. */
  knn: number | null;
  /** The best accuracy of the notebook's last px.evaluate call. */
  evaluation: number | null;
  results: Record<string, number | string | null>;
  notebook: string | null;
  error?: string;
}

/** A local run's copies on tracking servers, from the tracking.json the MLflow callback keeps. */
function trackedCopies(store: string, runId: string): string[] {
  const file = readJson<{ servers?: Record<string, { mlflowRunId?: string }> }>(
    path.join(store, runId, TRACKING_FILE)
  );
  return Object.entries(file?.servers ?? {}).flatMap(([server, copy]) =>
    copy.mlflowRunId ? [`${copy.mlflowRunId} @ ${server}`] : []
  );
}

/** Reads a sweep's rows from its folder and the run store its configurations wrote to. */
export function sweepRows(sweepDir: string, manifest: SweepManifest): SweepRow[] {
  const varying = varyingNames(manifest.configs);
  return manifest.configs.map(config => {
    const result = readResult(sweepDir, config.id);
    const record = readJson<SweepRecord>(path.join(configDir(sweepDir, config.id), 'record.json'));
    const store = record?.runStore ?? manifest.runStore;
    const runIds = (record?.runs ?? []).flatMap(r => (r.runId ? [r.runId] : []));
    const last = runIds.length ? readRunFiles(store, runIds[runIds.length - 1]) : undefined;
    return {
      config: config.id,
      label: describeConfig(config.params, varying),
      params: config.params,
      status: result?.status ?? 'pending',
      seconds: result?.seconds ?? null,
      runIds,
      tracking: runIds.flatMap(id => trackedCopies(store, id)),
      finalLoss: last?.finalLoss ?? null,
      knn: last?.monitors.knn ?? record?.runs.at(-1)?.knn ?? null,
      evaluation: record?.evaluations.at(-1) ?? null,
      results: record?.results ?? {},
      notebook: result ? result.notebook : null,
      ...(result?.error ? { error: result.error } : {})
    };
  });
}

export class SweepReport {
  constructor(
    readonly id: string,
    readonly manifest: SweepManifest,
    readonly rows: SweepRow[]
  ) {}

  private resultNames(): string[] {
    return [...new Set(this.rows.flatMap(r => Object.keys(r.results)))];
  }

  private columns(): TableColumn[] {
    const has = (pick: (r: SweepRow) => unknown) => this.rows.some(r => pick(r) !== null);
    return [
      { name: 'config', label: 'config' },
      ...varyingNames(this.manifest.configs).map(name => ({ name: `p:${name}`, label: name })),
      { name: 'status', label: 'status' },
      ...(has(r => r.finalLoss) ? [{ name: 'finalLoss', label: 'final loss' } as TableColumn] : []),
      ...(has(r => r.knn) ? [{ name: 'knn', label: 'kNN', format: 'percent' } as TableColumn] : []),
      ...(has(r => r.evaluation)
        ? [{ name: 'evaluation', label: 'best eval acc.', format: 'percent' } as TableColumn]
        : []),
      ...this.resultNames().map(name => ({ name: `r:${name}`, label: name })),
      { name: 'seconds', label: 'wall s', format: 'number' },
      { name: 'runs', label: 'runs' },
      ...(has(r => (r.tracking.length ? r.tracking : null))
        ? [{ name: 'tracking', label: 'MLflow runs' } as TableColumn]
        : [])
    ];
  }

  private tableRows(): Record<string, CellValue>[] {
    return this.rows.map(row => ({
      config: row.config,
      ...Object.fromEntries(
        Object.entries(row.params).map(([n, v]) => [
          `p:${n}`,
          typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v)
        ])
      ),
      status: row.error ? `${row.status}: ${row.error.split('\n')[0].slice(0, 80)}` : row.status,
      finalLoss: row.finalLoss,
      knn: row.knn,
      evaluation: row.evaluation,
      ...Object.fromEntries(Object.entries(row.results).map(([n, v]) => [`r:${n}`, v])),
      seconds: row.seconds,
      runs: row.runIds.join(' ') || null,
      tracking: row.tracking.join(' ') || null
    }));
  }

  private caption(): string {
    const done = this.rows.filter(r => r.status === 'done').length;
    return (
      `${path.basename(this.manifest.notebook)}: ${done} of ${this.rows.length} configurations done` +
      `${this.manifest.ray ? ` on Ray (${this.manifest.ray})` : ''}. Final loss and kNN from each configuration's last run in ${this.manifest.runStore}; wall time per configuration.`
    );
  }

  table(): Table {
    return new Table(this.columns(), this.tableRows(), `Sweep ${this.id}`, this.caption());
  }

  /** One bar per configuration and metric (loss, accuracies, reported numbers). */
  chart(): Chart {
    const values = this.rows.flatMap(row => {
      const metrics: [string, number | null][] = [
        ['final loss', row.finalLoss],
        ['kNN', row.knn],
        ['best eval acc.', row.evaluation],
        ...Object.entries(row.results).map(
          ([n, v]) => [n, typeof v === 'number' ? v : null] as [string, number | null]
        )
      ];
      return metrics.flatMap(([metric, value]) =>
        value === null ? [] : [{ config: `${row.config} ${row.label}`, metric, value }]
      );
    });
    const spec = sweepMetricsSpec(values);
    const summary = this.rows
      .map(r => `${r.config} ${r.label}: ${r.status}, loss ${formatCell(r.finalLoss, 'number')}`)
      .join('\n');
    return new Chart(spec, `Sweep ${this.id}\n${summary}`, `Sweep ${this.id}`);
  }

  markdown(): string {
    const columns = this.columns();
    const rows = this.tableRows();
    const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const lines = [
      `# Sweep ${this.id}`,
      '',
      this.caption(),
      '',
      `| ${columns.map(c => cell(c.label ?? c.name)).join(' | ')} |`,
      `| ${columns.map(() => '---').join(' | ')} |`,
      ...rows.map(
        row => `| ${columns.map(c => cell(formatCell(row[c.name], c.format))).join(' | ')} |`
      ),
      '',
      'Executed notebooks:',
      '',
      ...this.rows.map(r => `- ${r.config}: ${r.notebook ?? '(not run)'}`),
      ''
    ];
    return lines.join('\n');
  }

  /**
   * A standalone page: the table, the chart as inline SVG (renders anywhere, offline), and the
   * Vega-Lite spec, drawn interactively instead when vega-embed can be loaded.
   */
  async html(): Promise<string> {
    const chart = this.chart();
    const svg = await specToSvg(chart.spec);
    const table = this.table().toBundle()['text/html'] as string;
    const spec = JSON.stringify(chart.spec).replace(/</g, '\\u003c');
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(`Sweep ${this.id}`)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#222}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}caption{text-align:left;margin:.5rem 0;color:#555}</style>
</head><body>
<h1>${escapeHtml(`Sweep ${this.id}`)}</h1>
${table}
<div id="chart">${svg}</div>
<script type="application/json" id="spec">${spec}</script>
<script src="https://cdn.jsdelivr.net/npm/vega@6"></script>
<script src="https://cdn.jsdelivr.net/npm/vega-lite@6"></script>
<script src="https://cdn.jsdelivr.net/npm/vega-embed@7"></script>
<script>if (window.vegaEmbed) vegaEmbed('#chart', JSON.parse(document.getElementById('spec').textContent), {actions: false}).catch(function () {});</script>
</body></html>
`;
  }

  /** Writes report.md, report.html and report.json into `dir`; returns their paths. */
  async write(dir: string): Promise<{ markdown: string; html: string; json: string }> {
    const files = {
      markdown: path.join(dir, 'report.md'),
      html: path.join(dir, 'report.html'),
      json: path.join(dir, 'report.json')
    };
    fs.writeFileSync(files.markdown, this.markdown());
    fs.writeFileSync(files.html, await this.html());
    fs.writeFileSync(files.json, JSON.stringify({ id: this.id, rows: this.rows }, null, 2) + '\n');
    return files;
  }

  toBundle(): MimeBundle {
    return this.table().toBundle();
  }

  [inspect.custom](): string {
    return this.table().toBundle()['text/plain'];
  }
}

export interface SweepReportOptions {
  /** The folder that holds sweeps (default: PRETEXT_SWEEPS, else ./sweeps). */
  root?: string;
  /** Show the table and chart (default true). */
  display?: boolean;
}

/** Builds a sweep's report (from its folder and the run store) and shows it. */
export async function sweepReport(
  id: string,
  options: SweepReportOptions = {}
): Promise<SweepReport> {
  checkOptionNames('sweepReport()', options, ['root', 'display']);
  const { dir, manifest } = openSweep(id, options.root);
  const report = new SweepReport(manifest.id, manifest, sweepRows(dir, manifest));
  if (options.display ?? true) {
    await show(report.table());
    await show(report.chart());
  }
  return report;
}
