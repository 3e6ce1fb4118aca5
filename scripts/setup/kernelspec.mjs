import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, VENV_BIN, capture, info, run, step } from './util.mjs';

/** Installs the "TypeScript (Pretext)" kernelspec (name `pretext`) into the venv. */
export function installKernelspec() {
  step("Kernelspec 'pretext' (TypeScript (Pretext)) in .venv");
  const spec = {
    argv: [
      process.execPath,
      join(ROOT, 'kernel', 'launcher', 'pretext-kernel.js'),
      'kernel',
      '--config-path',
      '{connection_file}'
    ],
    display_name: 'TypeScript (Pretext)',
    language: 'typescript',
    interrupt_mode: 'signal',
    env: {
      NODE_PATH: join(ROOT, 'node_modules'),
      TF_CPP_MIN_LOG_LEVEL: '2'
    },
    metadata: { pretext: { root: ROOT } }
  };
  const dir = mkdtempSync(join(tmpdir(), 'pretext-kernelspec-'));
  try {
    writeFileSync(join(dir, 'kernel.json'), JSON.stringify(spec, null, 2) + '\n');
    run(join(VENV_BIN, 'jupyter'), [
      'kernelspec',
      'install',
      dir,
      '--name',
      'pretext',
      '--sys-prefix'
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const list = capture(join(VENV_BIN, 'jupyter'), ['kernelspec', 'list']);
  info(
    (list ?? '')
      .trim()
      .split('\n')
      .filter(line => line.includes('pretext'))
      .join('\n') || 'kernelspec list did not show pretext'
  );
}
