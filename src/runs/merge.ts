/**
 * Local runs and the tracking server's runs in one list (src/runs/mlflow.ts maps the server's).
 * Pure module: no DOM, no JupyterLab.
 */
import { mlflowRunToRecord } from './mlflow';
import { IRunRecord, RunEntry, sortRuns } from './parse';
import { ITrackingRunRow } from './tracking-reply';

/**
 * Local runs and the server's runs in one list, newest first. A server run tagged with the id
 * of a readable local run is that run's copy: the local run (whose files say more) is listed
 * once, marked as tracked. When several server runs name one local run, the newest is its
 * copy and the others stay listed as server runs.
 */
export function mergeRuns(
  local: readonly RunEntry[],
  remote: readonly ITrackingRunRow[],
  host: string
): RunEntry[] {
  const byId = new Map<string, IRunRecord>();
  for (const run of local) {
    if (run.kind === 'run') {
      byId.set(run.id, run);
    }
  }
  const copies = new Map<string, ITrackingRunRow>();
  const others: IRunRecord[] = [];
  const newestFirst = [...remote].sort((a, b) => (b.created ?? 0) - (a.created ?? 0));
  for (const row of newestFirst) {
    const localId = row.localRunId;
    if (localId !== null && byId.has(localId) && !copies.has(localId)) {
      copies.set(localId, row);
    } else {
      others.push(mlflowRunToRecord(row, host));
    }
  }
  const merged: RunEntry[] = local.map(run => {
    const copy = run.kind === 'run' ? copies.get(run.id) : undefined;
    if (copy === undefined) {
      return run;
    }
    return {
      ...(run as IRunRecord),
      tracked: {
        host,
        mlflowRunId: copy.id,
        ...(copy.experiment !== null ? { experiment: copy.experiment } : {}),
        local: true
      }
    };
  });
  return sortRuns([...merged, ...others]);
}
