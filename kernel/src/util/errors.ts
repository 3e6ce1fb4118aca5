import { suggestName } from './names';

/**
 * The one error type users see from Pretext. It always names the problem and the fix, so a
 * notebook shows one readable line instead of a stack of TensorFlow.js internals.
 */
export class PretextError extends Error {
  readonly problem: string;
  readonly fix: string;

  constructor(problem: string, fix: string) {
    super(`${problem}\nFix: ${fix}`);
    this.name = 'PretextError';
    this.problem = problem;
    this.fix = fix;
  }
}

/** Throws a PretextError unless `condition` holds. */
export function check(condition: unknown, problem: string, fix: string): asserts condition {
  if (!condition) {
    throw new PretextError(problem, fix);
  }
}

/**
 * Rejects option names that the caller does not know, so typos never pass silently, with the
 * closest known name. (Options objects defined as schemas get the same from options/schema.)
 */
export function checkOptionNames(
  what: string,
  options: object | undefined,
  known: readonly string[]
): void {
  if (!options) {
    return;
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      const closest = suggestName(name, known);
      throw new PretextError(
        `Unknown option '${name}' for ${what}.`,
        `${closest ? `Did you mean '${closest}'? ` : ''}Use one of: ${known.join(', ')}.`
      );
    }
  }
}

/** A positive, finite number or a clear error. */
export function checkPositive(what: string, value: number): void {
  check(
    typeof value === 'number' && Number.isFinite(value) && value > 0,
    `${what} must be a positive number, got ${String(value)}.`,
    `Pass a value greater than 0 for ${what}.`
  );
}
