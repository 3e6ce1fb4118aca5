import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, VENV_BIN, hashPaths, once, run, step } from './util.mjs';

const withVenv = () => ({ PATH: `${VENV_BIN}:${process.env.PATH}` });

/** Compiles the kernel library (what notebooks import). */
export function buildKernelLibrary() {
  step('Kernel library (kernel/src -> kernel/lib)');
  const key = hashPaths(['kernel/src', 'kernel/tsconfig.json', 'kernel/package.json']);
  once(
    'kernel-lib',
    key,
    () => existsSync(join(ROOT, 'kernel', 'lib', 'index.js')),
    () => {
      run('npm', ['run', 'build:kernel']);
    }
  );
}

/**
 * Builds the prebuilt labextension and installs the Python package into the venv the way a
 * pip user gets it (share/jupyter/labextensions/jupyterlab-pretext).
 */
export function buildExtension() {
  step('JupyterLab extension (prebuilt labextension + jupyterlab_pretext into .venv)');
  const key = hashPaths(
    [
      'src',
      'style',
      'schema',
      'package.json',
      'tsconfig.json',
      'pyproject.toml',
      'install.json',
      'jupyterlab_pretext',
      'jupyter-config',
      // The extension embeds the kernel's method catalog and guide and the example notebooks
      // (scripts/gen-catalog.mjs), so a change there must rebuild it too.
      'scripts/gen-catalog.mjs',
      'kernel/src/tasks/catalog.ts',
      'kernel/src/guide/guide.ts',
      // The extension bundles the kernel's protocol (types, schemas, statuses, comparison).
      'kernel/src/protocol',
      'examples'
    ],
    {
      // generated: written by the build itself; runs: what executing the examples leaves.
      ignore: [
        'labextension',
        '_version.py',
        '__pycache__',
        'generated',
        'runs',
        '.ipynb_checkpoints'
      ]
    }
  );
  const installed = join(
    ROOT,
    '.venv',
    'share',
    'jupyter',
    'labextensions',
    'jupyterlab-pretext',
    'package.json'
  );
  once(
    'extension',
    key,
    () => existsSync(installed),
    () => {
      run('npm', ['run', 'build:ext'], { env: withVenv() });
      run(
        join(VENV_BIN, 'python'),
        [
          '-m',
          'pip',
          'install',
          '--no-build-isolation',
          '--no-deps',
          '--force-reinstall',
          '--progress-bar',
          'off',
          ROOT
        ],
        {
          env: withVenv()
        }
      );
    }
  );
}
