/** Test helper: a value the library reports when it loads in a fresh process with `env` added. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * Runs `script` (CommonJS, from the repository root, printing one JSON value last) in a child
 * node with the native layer on and `env` set; returns the value it printed.
 */
export function valueInChild(script: string, env: Record<string, string>): unknown {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: resolve(__dirname, '../../../..'),
    encoding: 'utf8',
    env: { ...process.env, PRETEXT_NATIVE_GRADIENTS: '1', TF_CPP_MIN_LOG_LEVEL: '2', ...env }
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as unknown;
}
