/**
 * Options objects defined once, as zod schemas: type, defaults, ranges and unknown names in
 * one place. A failed parse becomes the PretextError users know ("problem" + "Fix: ..."): each
 * schema carries its own problem and fix, so the messages stay as specific as hand-written ones.
 */
import { z } from 'zod';
import { PretextError } from '../util/errors';
import { suggestName } from '../util/names';

export { z };

/** zod keeps one message per issue; a PretextError's two parts travel in it joined like this. */
const FIX = '\nFix: ';

type Text = string | ((input: unknown) => string);
const text = (t: Text, input: unknown): string => (typeof t === 'function' ? t(input) : t);

/** The zod `error` option of a schema: any failure of it reads `problem` (of the input) + `fix`. */
export function says(problem: Text, fix: Text): { error: (issue: { input?: unknown }) => string } {
  return { error: issue => `${text(problem, issue.input)}${FIX}${text(fix, issue.input)}` };
}

/** The problem and fix for an option name `what` does not know. */
export function unknownOption(what: string, name: string, known: readonly string[]): PretextError {
  const closest = suggestName(name, known);
  return new PretextError(
    `Unknown option '${name}' for ${what}.`,
    `${closest ? `Did you mean '${closest}'? ` : ''}Use one of: ${known.join(', ')}.`
  );
}

/**
 * A strict options object: every name outside `shape` is refused with the closest known one.
 * `what` names it in messages (from the input, e.g. a monitor's own name); `notObject` is the
 * problem and fix when the value is not an object at all.
 */
export function optionsObject<Shape extends z.core.$ZodLooseShape>(
  what: Text,
  shape: Shape,
  notObject: { problem: Text; fix: Text }
) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: issue => {
      if (issue.code === 'unrecognized_keys') {
        const error = unknownOption(text(what, issue.input), issue.keys[0], known);
        return error.message;
      }
      return says(notObject.problem, notObject.fix).error(issue);
    }
  });
}

/**
 * A value checked by an existing validator that throws PretextErrors (parseBudget,
 * checkSeed, ...): the value passes through unchanged (functions, tensors and class instances
 * keep their identity), and a thrown PretextError becomes the issue.
 */
export function checkedBy<T>(validate: (value: T) => unknown) {
  return z.custom<T>().superRefine((value, ctx) => {
    try {
      validate(value as T);
    } catch (error) {
      if (!(error instanceof PretextError)) {
        throw error;
      }
      ctx.addIssue({ code: 'custom', message: error.message, input: value });
    }
  });
}

/** Validates with `schema` but keeps the value itself (user objects with functions). */
export function keptAs<T>(schema: z.ZodType) {
  return checkedBy<T>(value => parseOptions(schema, value));
}

type Issue = z.core.$ZodIssue;

/** Unknown names first (a typo explains the rest), then the schema's own order. */
function firstIssue(issues: readonly Issue[]): Issue {
  const unknown = issues
    .filter(issue => issue.code === 'unrecognized_keys')
    .sort((a, b) => a.path.length - b.path.length);
  return unknown[0] ?? issues[0];
}

function toPretextError(issue: Issue): PretextError {
  const at = issue.message.indexOf(FIX);
  if (at >= 0) {
    return new PretextError(issue.message.slice(0, at), issue.message.slice(at + FIX.length));
  }
  // A schema without its own message: say where, with zod's wording.
  const where = issue.path.map(String).join('.') || 'options';
  return new PretextError(
    `${where}: ${issue.message}.`,
    `Check ${where} against its documentation.`
  );
}

/** Drops keys whose value is undefined, so an option left out is absent, as if never given. */
function withoutUndefined<T>(value: T): T {
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.getPrototypeOf(value) !== Object.prototype
  ) {
    return value;
  }
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, withoutUndefined(v)])
  ) as T;
}

/** Parses `value` with `schema`; the first failure is thrown as a PretextError. */
export function parseOptions<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown
): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw toPretextError(firstIssue(result.error.issues));
  }
  return withoutUndefined(result.data);
}

// Mutually assignable and the same names: optional fields make {a?} and {a?, b?} assignable
// both ways, so the names are compared too.
type Same<A, B> = [A, keyof A] extends [B, keyof B]
  ? [B, keyof B] extends [A, keyof A]
    ? true
    : false
  : false;

/**
 * Ties a schema to the documented options interface it parses (the interface keeps the doc
 * comments users see in the editor): `inputIs<SimclrOptions>()(schema)` compiles only when
 * the schema accepts exactly the interface, so the two cannot drift apart.
 */
export function inputIs<T>() {
  return <Schema extends z.ZodType>(
    schema: Schema,
    ...proof: Same<z.input<Schema>, T> extends true ? [] : [never]
  ): Schema => {
    void proof;
    return schema;
  };
}
