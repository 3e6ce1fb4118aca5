#!/usr/bin/env node
// The whole test suite: static checks, then unit and integration tests on node's test runner,
// then the browser tests (test/browser: a real JupyterLab with the installed extension, driven
// through Debian Chromium by playwright-core from node:test, not the @playwright/test runner).
// Usage: node scripts/test.mjs [path-filter ...]  (e.g. `npm test -- test/kernel`)
// PRETEXT_SKIP_BROWSER=1 leaves the browser tests out (say, on a machine without Chromium).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT, VENV_BIN, step } from './setup/util.mjs';

function findTests(dir) {
  return readdirSync(dir).flatMap(entry => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      return entry === 'node_modules' ? [] : findTests(path);
    }
    return entry.endsWith('.test.ts') ? [path] : [];
  });
}

function run(command, args) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH}`, TF_CPP_MIN_LOG_LEVEL: '2' }
  });
  return result.status ?? 1;
}

const filters = process.argv.slice(2);
let status = 0;
if (filters.length === 0) {
  step('Type checks and lint');
  // Our TypeScript, not the older one tslab links as node_modules/.bin/tsc.
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  status ||= run(process.execPath, [tsc, '-p', 'kernel/tsconfig.json', '--noEmit']);
  status ||= run(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit']);
  status ||= run(process.execPath, [tsc, '-p', 'test/tsconfig.json']);
  status ||= run('npm', ['run', 'lint']);
}
const tests = findTests(join(ROOT, 'test'))
  .map(path => relative(ROOT, path))
  .filter(
    path => filters.length === 0 || filters.some(f => path.startsWith(f.replace(/^\.\//, '')))
  )
  .sort();
const isBrowserTest = path => path.startsWith('test/browser/');
const unitTests = tests.filter(path => !isBrowserTest(path));
const skipBrowser = process.env.PRETEXT_SKIP_BROWSER === '1';
const browserTests = skipBrowser ? [] : tests.filter(isBrowserTest);

/** One node:test run: readable progress on stdout, a TAP copy to count results. */
function runTests(files, tap, extraArgs = []) {
  rmSync(tap, { force: true });
  if (files.length === 0) {
    return 0;
  }
  return run(process.execPath, [
    '--import',
    'tsx',
    '--test',
    ...extraArgs,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...files
  ]);
}

const unitTap = join(ROOT, 'build', 'test-results.tap');
const browserTap = join(ROOT, 'build', 'test-results-browser.tap');
mkdirSync(dirname(unitTap), { recursive: true });
if (status === 0) {
  if (unitTests.length > 0) {
    step(`Unit and integration tests (${unitTests.length} files)`);
  }
  status = runTests(unitTests, unitTap);
  if (browserTests.length > 0) {
    // After the unit tests, one file at a time: every file starts its own JupyterLab on port
    // 8888. They run even when a unit test failed, so one summary covers everything.
    step(`Browser tests in JupyterLab + Chromium (${browserTests.length} files)`);
    status = runTests(browserTests, browserTap, ['--test-concurrency=1']) || status;
  } else if (skipBrowser) {
    step('Browser tests skipped (PRETEXT_SKIP_BROWSER=1)');
  }
}
const count = name =>
  [unitTap, browserTap]
    .filter(tap => existsSync(tap))
    .map(tap =>
      Number(readFileSync(tap, 'utf8').match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0)
    )
    .reduce((a, b) => a + b, 0);
if (existsSync(unitTap) || existsSync(browserTap)) {
  console.log(`\n${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`);
}
process.exit(status);
