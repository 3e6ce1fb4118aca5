import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, hashPaths, once, run, step } from './util.mjs';

/**
 * npm packages, with install scripts off: tfjs-node's script would download TensorFlow from a
 * host these machines cannot reach (native-tf.mjs builds it instead); zeromq ships prebuilds.
 */
export function setupNodeDeps() {
  step('npm packages (npm ci --ignore-scripts)');
  const key = hashPaths(['package.json', 'package-lock.json', 'kernel/package.json']);
  once(
    'node-deps',
    key,
    () => existsSync(join(ROOT, 'node_modules', 'tslab')),
    () => {
      run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
        hint: 'The npm registry must be reachable; delete node_modules and retry if it was interrupted.'
      });
    }
  );
}
