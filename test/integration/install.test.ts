/** What the set-up promises: the extension and the kernelspec are installed in the venv. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(__dirname, '..', '..');
const jupyter = join(ROOT, '.venv', 'bin', 'jupyter');

function jupyterOutput(...args: string[]): string {
  const result = spawnSync(jupyter, args, { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout + result.stderr;
}

test('the prebuilt labextension is installed, enabled and OK', () => {
  const listing = jupyterOutput('labextension', 'list');
  assert.match(listing, /jupyterlab-pretext v[\d.]+ .*enabled.*OK.*\(python, jupyterlab_pretext\)/);
  // Shared packages pinned outside the ranges this JupyterLab provides get the extension
  // flagged as incompatible (and possibly bundled twice).
  assert.doesNotMatch(listing, /incompatible|outdated/);
});

test("the kernelspec 'pretext' is 'TypeScript (Pretext)' and starts our launcher", () => {
  const { kernelspecs } = JSON.parse(jupyterOutput('kernelspec', 'list', '--json')) as {
    kernelspecs: Record<
      string,
      { spec: { display_name: string; argv: string[]; env: Record<string, string> } }
    >;
  };
  const spec = kernelspecs.pretext?.spec;
  assert.ok(spec, 'pretext kernelspec');
  assert.equal(spec.display_name, 'TypeScript (Pretext)');
  assert.ok(spec.argv.some(arg => arg.endsWith(join('kernel', 'launcher', 'pretext-kernel.js'))));
  assert.equal(spec.env.NODE_PATH, join(ROOT, 'node_modules'));
});
