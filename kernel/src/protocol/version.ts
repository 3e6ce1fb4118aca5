/**
 * The protocol's version. Every MIME payload and run file carries `version`; readers accept
 * any version up to this one (a payload without `version` is version 0, what kernels wrote
 * before the field existed), so a notebook saved today still renders after a payload changes.
 * Adding an optional field does not bump it; renaming, removing or retyping one does, with an
 * upgrade from the older version in the reader.
 */
export const PROTOCOL_VERSION = 1;

/** The version a payload or file says it has: 0 when it has none (or a malformed one). */
export function versionOf(value: unknown): number {
  const version =
    typeof value === 'object' && value !== null ? (value as { version?: unknown }).version : 0;
  return typeof version === 'number' && Number.isInteger(version) && version >= 0 ? version : 0;
}
