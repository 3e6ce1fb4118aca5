#!/usr/bin/env node
// Executes notebooks headless on the Pretext kernel and writes the executed copies.
// Usage: node scripts/run-notebooks.mjs [notebook ...] [--out DIR]
// Default: every examples/*.ipynb into build/examples/. Small size unless PRETEXT_FULL=1.
// Exits non-zero when any cell fails.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, VENV_BIN } from './setup/util.mjs';

export function executeNotebook(source, outDir, { timeoutSec = 3600 } = {}) {
  mkdirSync(outDir, { recursive: true });
  const target = join(outDir, basename(source));
  copyFileSync(source, target);
  const started = Date.now();
  // Executed in place inside outDir, so the kernel's cwd (and its ./runs) is there, not examples/.
  const result = spawnSync(
    join(VENV_BIN, 'jupyter'),
    [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--inplace',
      `--ExecutePreprocessor.kernel_name=pretext`,
      `--ExecutePreprocessor.timeout=${timeoutSec}`,
      target
    ],
    {
      cwd: outDir,
      stdio: 'inherit',
      env: { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH}` }
    }
  );
  return { target, ok: result.status === 0, seconds: (Date.now() - started) / 1000 };
}

function main() {
  const args = process.argv.slice(2);
  const outFlag = args.indexOf('--out');
  const outDir = resolve(
    outFlag >= 0 ? args.splice(outFlag, 2)[1] : join(ROOT, 'build', 'examples')
  );
  const notebooks = args.length
    ? args.map(a => resolve(a))
    : readdirSync(join(ROOT, 'examples'))
        .filter(f => f.endsWith('.ipynb'))
        .sort()
        .map(f => join(ROOT, 'examples', f));
  const size = process.env.PRETEXT_FULL === '1' ? 'full' : 'small';
  // One cell may train several methods; at full size on a shared 2-core machine that took
  // over an hour, so the per-cell limit is generous there. PRETEXT_CELL_TIMEOUT overrides it.
  const timeoutSec =
    Number(process.env.PRETEXT_CELL_TIMEOUT) || (size === 'full' ? 6 * 3600 : 3600);
  let failed = 0;
  for (const notebook of notebooks) {
    if (!existsSync(notebook)) {
      console.error(`No such notebook: ${notebook}`);
      failed++;
      continue;
    }
    console.log(`\n[pretext demo] executing ${basename(notebook)} (${size} size) -> ${outDir}`);
    const { ok, seconds, target } = executeNotebook(notebook, outDir, { timeoutSec });
    console.log(
      `[pretext demo] ${ok ? 'ok' : 'FAILED'} ${basename(notebook)} in ${seconds.toFixed(1)} s -> ${target}`
    );
    if (!ok) failed++;
  }
  console.log(
    `\n[pretext demo] ${notebooks.length - failed} of ${notebooks.length} notebooks ran without errors`
  );
  process.exit(failed ? 1 : 0);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
