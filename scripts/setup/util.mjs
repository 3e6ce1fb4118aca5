// Shared helpers for the set-up steps: visible progress, idempotence stamps, child processes.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const VENV = join(ROOT, '.venv');
export const VENV_BIN = join(VENV, 'bin');
export const STAMPS = join(ROOT, 'node_modules', '.pretext-stamps');
/** Downloads and unpacked libraries live outside the clone so that fresh clones reuse them. */
export const CACHE = process.env.PRETEXT_CACHE || join(homedir(), '.cache', 'pretext');

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

export function step(title) {
  console.log(`\n[pretext setup ${elapsed()}] ${title}`);
}

export function info(message) {
  console.log(`  ${message}`);
}

export class SetupError extends Error {}

/** Runs a command with inherited output so progress stays visible; throws with a fix hint on failure. */
export function run(command, args, { cwd = ROOT, env = {}, hint = '' } = {}) {
  info(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, ...env }
  });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    throw new SetupError(
      `'${command} ${args.join(' ')}' failed (${why}).${hint ? ' ' + hint : ''}`
    );
  }
}

/** Runs a command and returns its stdout, or null when it fails. */
export function capture(command, args, { cwd = ROOT, env = {} } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env }
  });
  return result.status === 0 ? result.stdout : null;
}

/** Hash of files and directory trees (sorted, content-based) for idempotence stamps. */
export function hashPaths(paths, { ignore = [] } = {}) {
  const hash = createHash('sha256');
  const visit = path => {
    if (!existsSync(path)) {
      return;
    }
    const stats = statSync(path);
    if (stats.isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (!ignore.includes(entry)) {
          visit(join(path, entry));
        }
      }
    } else {
      hash.update(path.slice(ROOT.length));
      hash.update(readFileSync(path));
    }
  };
  for (const path of paths) {
    visit(resolve(ROOT, path));
  }
  return hash.digest('hex').slice(0, 16);
}

export function readStamp(name) {
  const file = join(STAMPS, name);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

export function writeStamp(name, value) {
  mkdirSync(STAMPS, { recursive: true });
  writeFileSync(join(STAMPS, name), value + '\n');
}

/** Runs `work` only when the stamp differs from `key` (or `check` says the result is missing). */
export function once(name, key, check, work) {
  if (readStamp(name) === key && check()) {
    info(`up to date (${name})`);
    return;
  }
  work();
  writeStamp(name, key);
}
