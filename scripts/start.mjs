#!/usr/bin/env node
// Opens JupyterLab from the project's venv with the quickstart notebook.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, VENV_BIN, step } from './setup/util.mjs';

step('Starting JupyterLab (Ctrl+C to stop); open the URL below');
const args = [
  'lab',
  '--notebook-dir',
  ROOT,
  'examples/01-quickstart.ipynb',
  ...process.argv.slice(2)
];
if (process.getuid?.() === 0) {
  args.push('--allow-root');
}
const lab = spawn(join(VENV_BIN, 'jupyter'), args, {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, PATH: `${VENV_BIN}:${process.env.PATH}` }
});
process.on('SIGINT', () => lab.kill('SIGINT'));
lab.on('exit', code => process.exit(code ?? 0));
