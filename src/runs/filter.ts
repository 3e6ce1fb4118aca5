/**
 * Filtering the runs browser by method, dataset and status.
 * Pure module: no DOM, no JupyterLab.
 */
import { RunEntry } from './parse';

/** An empty or absent field matches every run. */
export interface IRunFilter {
  method?: string;
  dataset?: string;
  status?: string;
}

export type FilterField = keyof IRunFilter;

export const FILTER_FIELDS: readonly FilterField[] = ['method', 'dataset', 'status'];

function isActive(filter: IRunFilter): boolean {
  return FILTER_FIELDS.some(field => !!filter[field]);
}

/**
 * The runs that match every set field. Unreadable runs have no method or status, so
 * they show only while no filter is set (that is where the user looks for them).
 */
export function filterRuns(runs: readonly RunEntry[], filter: IRunFilter): RunEntry[] {
  if (!isActive(filter)) {
    return [...runs];
  }
  return runs.filter(
    run =>
      run.kind === 'run' &&
      FILTER_FIELDS.every(field => !filter[field] || run[field] === filter[field])
  );
}

/** The values each filter can take, sorted, from the readable runs. */
export function filterChoices(runs: readonly RunEntry[]): Record<FilterField, string[]> {
  const choices = {} as Record<FilterField, string[]>;
  for (const field of FILTER_FIELDS) {
    const values = new Set<string>();
    for (const run of runs) {
      if (run.kind === 'run' && run[field] !== '') {
        values.add(run[field]);
      }
    }
    choices[field] = [...values].sort();
  }
  return choices;
}
