import { displayBundle } from '../render/display';
import type { Displayable, MimeBundle } from '../render/mime';
import { Table } from '../render/table';
import { PretextError } from '../util/errors';

/** What a loader did with an item it could not use as is. */
export type DataAction = 'skipped' | 'rejected' | 'filled' | 'converted';

export interface DataIssue {
  /** The file, row or column the problem was found in. */
  source: string;
  problem: string;
  action: DataAction;
}

/** How many example sources a summary names per problem before saying "and N more". */
const EXAMPLES_PER_PROBLEM = 3;

/**
 * What a loader skipped, filled in or converted, and why. Real data is messy: loaders keep
 * going past bad items and say so here, instead of failing deep inside TensorFlow.js or
 * silently training on fewer rows than the user thinks.
 */
export class DataReport implements Displayable {
  private readonly found: DataIssue[] = [];
  /** Items the loader looked at (files, rows, windows), for "12 of 400" in the summary. */
  total = 0;

  constructor(readonly what: string) {}

  note(source: string, problem: string, action: DataAction): void {
    this.found.push({ source, problem, action });
  }

  get issues(): readonly DataIssue[] {
    return this.found;
  }

  count(action?: DataAction): number {
    return action ? this.found.filter(i => i.action === action).length : this.found.length;
  }

  get ok(): boolean {
    return this.found.length === 0;
  }

  /** Issues grouped by action and problem, largest group first. */
  groups(): { action: DataAction; problem: string; sources: string[] }[] {
    const byKey = new Map<string, { action: DataAction; problem: string; sources: string[] }>();
    for (const issue of this.found) {
      const key = `${issue.action}\u0000${issue.problem}`;
      const group = byKey.get(key) ?? { action: issue.action, problem: issue.problem, sources: [] };
      group.sources.push(issue.source);
      byKey.set(key, group);
    }
    return [...byKey.values()].sort((a, b) => b.sources.length - a.sources.length);
  }

  /** One line: how many, which and why, e.g. "2 of 40 files skipped: not an image (a.txt, b.bin)". */
  summary(): string {
    if (this.ok) {
      return `${this.what}: ${this.total ? `all ${this.total} items` : 'everything'} loaded, no problems.`;
    }
    const of = this.total ? ` of ${this.total}` : '';
    const parts = this.groups().map(g => {
      const shown = g.sources.slice(0, EXAMPLES_PER_PROBLEM).join(', ');
      const more =
        g.sources.length > EXAMPLES_PER_PROBLEM
          ? `, +${g.sources.length - EXAMPLES_PER_PROBLEM} more`
          : '';
      return `${g.sources.length} ${g.action}: ${g.problem} (${shown}${more})`;
    });
    return `${this.what}: ${this.found.length}${of} with problems. ${parts.join('; ')}.`;
  }

  /**
   * Throws when nothing usable is left, naming what went wrong with the items that were
   * dropped, so "empty dataset" never hides the real cause.
   */
  throwIfEmpty(usable: number, fix: string): void {
    if (usable > 0) {
      return;
    }
    throw new PretextError(
      `${this.what}: nothing usable was loaded.${this.ok ? '' : ` ${this.summary()}`}`,
      fix
    );
  }

  toBundle(): MimeBundle {
    const rows = this.groups().map(g => ({
      action: g.action,
      problem: g.problem,
      count: g.sources.length,
      examples:
        g.sources.slice(0, EXAMPLES_PER_PROBLEM).join(', ') +
        (g.sources.length > EXAMPLES_PER_PROBLEM ? ', …' : '')
    }));
    return new Table(
      [
        { name: 'action', format: 'text' },
        { name: 'problem', format: 'text' },
        { name: 'count', format: 'number' },
        { name: 'examples', format: 'text' }
      ],
      rows,
      `Data report: ${this.what}`,
      this.ok
        ? 'No problems found.'
        : `${this.found.length}${this.total ? ` of ${this.total}` : ''} items had problems.`
    ).toBundle();
  }

  /** Shows the report inline as a table; returns nothing so the cell prints no echo. */
  show(): void {
    displayBundle(this.toBundle());
  }
}
