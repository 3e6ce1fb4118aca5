/**
 * Validating untrusted data (notebook outputs, run-store files) against the protocol's JSON
 * Schemas with ajv, and turning the first problem into the sentence the schema gives for it
 * (its `x-message`), so users read "'progress.step' must be a finite number", not a schema
 * path. Pure module: no DOM, no JupyterLab.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { MESSAGE_KEYWORD, type JsonSchema } from 'pretext/protocol';

// allowUnionTypes: the schemas say ['string', 'null'] for optional fields that may be null.
const ajv = new Ajv({ allErrors: true, allowUnionTypes: true });
ajv.addKeyword({ keyword: MESSAGE_KEYWORD, schemaType: 'string' });

const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validator(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** What a value is, in words: 'null', 'an array', 'string', ... */
export function describeValue(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  return Array.isArray(value) ? 'an array' : typeof value;
}

function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `progress.step`, `columns[0].label`: how a field is named in messages. */
function fieldPath(segments: readonly string[]): string {
  return segments
    .map((segment, index) =>
      /^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`
    )
    .join('');
}

function child(node: unknown, key: string): unknown {
  return typeof node === 'object' &&
    node !== null &&
    Object.prototype.hasOwnProperty.call(node, key)
    ? (node as Record<string, unknown>)[key]
    : undefined;
}

function message(node: unknown): string | undefined {
  const text = child(node, MESSAGE_KEYWORD);
  return typeof text === 'string' ? text : undefined;
}

/** The sentence for one ajv error, from the deepest schema node that has one. */
export function explainError(error: ErrorObject, schema: JsonSchema, data: unknown): string {
  const at = pointer(error.instancePath);
  // The schema nodes from the root down to the one holding the failing keyword.
  const nodes: unknown[] = [schema];
  for (const key of pointer(error.schemaPath.replace(/^#/, '')).slice(0, -1)) {
    nodes.push(child(nodes[nodes.length - 1], key));
  }
  let template: string | undefined;
  if (error.keyword === 'required') {
    const missing = String((error.params as { missingProperty: string }).missingProperty);
    template = message(child(child(nodes[nodes.length - 1], 'properties'), missing));
    if (template !== undefined) {
      at.push(missing);
    }
  }
  for (let i = nodes.length - 1; template === undefined && i >= 0; i--) {
    template = message(nodes[i]);
  }
  const values: unknown[] = [data];
  for (const key of at) {
    values.push(child(values[values.length - 1], key));
  }
  const index = [...at].reverse().find(segment => /^\d+$/.test(segment));
  const named = values.filter(v => typeof child(v, 'name') === 'string').pop();
  const path = fieldPath(at);
  if (template === undefined) {
    return `'${path || 'data'}' ${error.message ?? 'is not valid'}`;
  }
  return template
    .replace(/\{path\}/g, path)
    .replace(/\{key\}/g, at[at.length - 1] ?? '')
    .replace(/\{n\}/g, index === undefined ? '' : String(Number(index) + 1))
    .replace(/\{name\}/g, String(child(named, 'name') ?? ''))
    .replace(/\{got\}/g, describeValue(values[values.length - 1]));
}

/** Every problem of `data` under `schema`, as sentences; empty when it is valid. */
export function schemaProblems(schema: JsonSchema, data: unknown): string[] {
  const validate = validator(schema);
  if (validate(data)) {
    return [];
  }
  return [...new Set((validate.errors ?? []).map(error => explainError(error, schema, data)))];
}
