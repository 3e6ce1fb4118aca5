/**
 * JSON Schema (draft-07) helpers. Schemas are plain data so both halves can use them: the
 * extension validates with ajv, the tests validate what the kernel writes.
 *
 * `x-message` is an annotation (no effect on validity): the sentence a reader shows when the
 * value at that node is wrong, with {path} (e.g. `progress.step`), {key} (the last property
 * name), {n} (1 + the last array index), {name} (the nearest enclosing `name` field) and
 * {got} (what the value is: 'null', 'an array', 'string', ...) filled in.
 */
export type JsonSchema = { readonly [keyword: string]: unknown };

export const MESSAGE_KEYWORD = 'x-message';

export const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

export const versionField: JsonSchema = {
  type: 'integer',
  minimum: 0,
  [MESSAGE_KEYWORD]: "'{path}' must be a whole number (the protocol version)"
};

export function optionalString(): JsonSchema {
  return { type: ['string', 'null'], [MESSAGE_KEYWORD]: "'{path}' must be a string" };
}

export function finiteNumber(optional = false): JsonSchema {
  return {
    type: optional ? ['number', 'null'] : 'number',
    [MESSAGE_KEYWORD]: "'{path}' must be a finite number"
  };
}
