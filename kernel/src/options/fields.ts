/** Option fields that many options objects share, with the messages Pretext has always given. */
import { says, z } from './schema';

/** A positive, finite number (the message of checkPositive). */
export function positiveNumber(what: string) {
  return z
    .number(
      says(
        v => `${what} must be a positive number, got ${String(v)}.`,
        `Pass a value greater than 0 for ${what}.`
      )
    )
    .positive();
}

/** A finite number of at least 0. */
export function nonNegativeNumber(what: string, fix = `Pass e.g. { ${what}: 0 }.`) {
  return z
    .number(says(v => `${what} must be a number of at least 0, got ${String(v)}.`, fix))
    .min(0);
}

/** An integer above 0. */
export function positiveInteger(what: string, fix: string) {
  return z.int(says(v => `${what} must be a positive integer, got ${String(v)}.`, fix)).positive();
}

/** A non-empty string. */
export function nonEmptyString(what: string, fix: string) {
  return z.string(says(v => `${what} must be a non-empty string, got ${String(v)}.`, fix)).min(1);
}

/** true or false. */
export function flag(what: string, fix: string) {
  return z.boolean(says(v => `${what} must be true or false, got ${String(v)}.`, fix));
}

/** A function (an augmentation, an evaluate hook); kept as given. */
export function func<T>(problem: (input: unknown) => string, fix: string) {
  return z.custom<T>(v => typeof v === 'function', says(problem, fix));
}
