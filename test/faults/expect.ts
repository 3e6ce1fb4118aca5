/**
 * What every fault case checks: the error is a PretextError, its problem and its fix say
 * what they must, and nothing on disk changed (each folder hashed before and after).
 */
import assert from 'node:assert/strict';
import { PretextError } from '../../kernel/src/util/errors';
import { hashTree } from './hash';

export interface Expected {
  problem: RegExp;
  fix: RegExp;
  /** Folders that must be byte-for-byte the same afterwards (run store, run folder). */
  unchanged?: string[];
}

function checkError(error: unknown, expected: Expected): void {
  assert.ok(
    error instanceof PretextError,
    `expected a PretextError, got ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`
  );
  assert.match(error.problem, expected.problem);
  assert.match(error.fix, expected.fix);
  assert.ok(error.fix.length > 10, `a fix worth the name: '${error.fix}'`);
}

/** Runs `fault` (sync or async) and checks the error it must throw. */
export async function expectClearError(
  fault: () => unknown,
  expected: Expected
): Promise<PretextError> {
  const before = (expected.unchanged ?? []).map(hashTree);
  let caught: unknown;
  try {
    await fault();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught !== undefined, 'the fault must be refused, not accepted in silence');
  checkError(caught, expected);
  (expected.unchanged ?? []).forEach((dir, i) =>
    assert.equal(hashTree(dir), before[i], `${dir} must be unchanged`)
  );
  return caught as PretextError;
}
