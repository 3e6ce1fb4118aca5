import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, VENV, VENV_BIN, hashPaths, once, run, step } from './util.mjs';

/** The project-local venv: JupyterLab 4.6, nbclient/nbconvert and the extension's build backend. */
export function setupPythonEnv() {
  step('Python venv .venv (JupyterLab 4.6, nbclient, nbconvert)');
  const python = process.env.PRETEXT_PYTHON || 'python3';
  if (!existsSync(join(VENV_BIN, 'python'))) {
    run(python, ['-m', 'venv', VENV], {
      hint: 'Needs Python 3.9+ with the venv module (Debian: apt-get install python3-venv).'
    });
  }
  const key = hashPaths(['scripts/setup/requirements.txt']);
  once(
    'python-env',
    key,
    () => existsSync(join(VENV_BIN, 'jupyter-lab')),
    () => {
      run(
        join(VENV_BIN, 'python'),
        [
          '-m',
          'pip',
          'install',
          '--progress-bar',
          'off',
          '-r',
          join(ROOT, 'scripts', 'setup', 'requirements.txt')
        ],
        {
          hint: 'PyPI must be reachable.'
        }
      );
    }
  );
}
