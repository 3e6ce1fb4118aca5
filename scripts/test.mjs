#!/usr/bin/env node
// The whole test suite: static checks, then unit and integration tests on node's test runner.
// Usage: node scripts/test.mjs [path-filter ...]  (e.g. `npm test -- test/kernel`)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ROOT, VENV_BIN, step } from './setup/util.mjs';

function findTests(dir) {
  return readdirSync(dir).flatMap(entry => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : findTests(path);
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
step(`Unit and integration tests (${tests.length} files)`);
// Readable progress on stdout; a TAP copy to count results for the closing summary line.
const tap = join(ROOT, 'build', 'test-results.tap');
mkdirSync(dirname(tap), { recursive: true });
rmSync(tap, { force: true });
status ||= run(process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...tests
]);
if (existsSync(tap)) {
  const count = name =>
    Number(readFileSync(tap, 'utf8').match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
  console.log(`\n${count('pass')} passed, ${count('fail')} failed, ${count('skipped')} skipped`);
}
process.exit(status);
