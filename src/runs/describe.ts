/**
 * One-line descriptions of runs for the runs browser and its details view.
 * Pure module: no DOM, no JupyterLab.
 */
import { MISSING, formatDuration, formatNumber } from '../renderers/format';
import { sourceLabel } from './mlflow';
import { IMetricsResult, IRunRecord, RunEntry } from './parse';

/** "simclr · mnist · done · loss 1.234 · 120 steps"; unreadable runs say why. */
export function runMeta(run: RunEntry): string {
  if (run.kind === 'unreadable') {
    return `unreadable: ${run.reason}`;
  }
  const parts = [run.method, run.dataset || 'dataset ?', run.status];
  if (run.finalLoss !== null) {
    parts.push(`loss ${formatNumber(run.finalLoss)}`);
  }
  if (run.steps !== null) {
    parts.push(`${formatNumber(run.steps)} steps`);
  }
  return parts.join(' · ');
}

/** The summary fields shown in the details view, in reading order. */
export function summaryRows(run: IRunRecord): Array<[label: string, value: string]> {
  return [
    ['id', run.id],
    ['name', run.name ?? MISSING],
    ['method', run.method],
    ['dataset', run.dataset || MISSING],
    ['status', run.status],
    ['created', run.created || MISSING],
    ['final loss', formatNumber(run.finalLoss)],
    ['steps', formatNumber(run.steps)],
    ['epochs', formatNumber(run.epochs)],
    ['time', formatDuration(run.seconds)],
    ['source', sourceLabel(run)],
    ...(run.tracked !== undefined
      ? ([
          ['MLflow run', run.tracked.mlflowRunId],
          ['experiment', run.tracked.experiment ?? MISSING]
        ] as Array<[string, string]>)
      : []),
    // Last: it is the longest, and says what to do.
    ...(run.message !== undefined ? [['message', run.message] as [string, string]] : [])
  ];
}

/** The latest value of every metric, e.g. [['loss', '0.8123'], ['lr', '0.001']]. */
export function latestMetrics(metrics: IMetricsResult): Array<[name: string, value: string]> {
  const latest = new Map<string, number>();
  for (const point of metrics.points) {
    for (const [name, value] of Object.entries(point.values)) {
      latest.set(name, value);
    }
  }
  return [...latest].map(([name, value]) => [name, formatNumber(value)]);
}
