/**
 * Every other tutorial in examples/ runs top to bottom headless on the Pretext kernel, at the
 * small size, in a temporary folder, and leaves outputs a reader can use. (The quickstart has
 * its own, stricter test.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { checkReadableOutputs, readNotebook } from './notebook';

const ROOT = resolve(__dirname, '..', '..');
const notebooks = readdirSync(join(ROOT, 'examples'))
  .filter(name => name.endsWith('.ipynb') && !name.startsWith('01-quickstart'))
  .sort();

for (const name of notebooks) {
  test(`${name} runs headless and every output is readable`, async () => {
    const { executeNotebook } = await import('../../scripts/run-notebooks.mjs');
    const workdir = mkdtempSync(join(tmpdir(), 'pretext-example-'));
    try {
      const result = executeNotebook(join(ROOT, 'examples', name), workdir, { timeoutSec: 1200 });
      assert.ok(result.ok, `${name} must run without a failing cell`);
      checkReadableOutputs(readNotebook(result.target));
    } finally {
      rmSync(workdir, { recursive: true, force: true });
    }
  });
}
