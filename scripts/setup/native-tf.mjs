// Native TensorFlow for tfjs-node without its blocked download: take the TensorFlow C
// library from the PyPI wheel, link it where the binding expects it, compile the binding.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  symlinkSync,
  copyFileSync,
  lstatSync
} from 'node:fs';
import { join } from 'node:path';
import { CACHE, ROOT, SetupError, capture, info, once, run, step } from './util.mjs';
import { graphPatchKey, patchBinding } from './binding-patch.mjs';

const TF_VERSION = '2.21.0';

/** The CPU build by default; `PRETEXT_GPU=1` uses the CUDA build for tfjs-node-gpu (unverified). */
export function nativeTarget() {
  const gpu = process.env.PRETEXT_GPU === '1';
  return {
    gpu,
    wheel: gpu ? 'tensorflow' : 'tensorflow-cpu',
    pkg: gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node'
  };
}

function python() {
  return process.env.PRETEXT_PYTHON || 'python3';
}

/** Unpacks the two shared libraries and the include tree from the wheel, once per version. */
function unpackWheel(target) {
  const dest = join(CACHE, `libtensorflow-${target.wheel}-${TF_VERSION}`);
  const done = join(dest, '.complete');
  if (existsSync(done)) {
    info(`TensorFlow ${TF_VERSION} C library cached in ${dest}`);
    return dest;
  }
  const wheels = join(CACHE, 'wheels');
  mkdirSync(wheels, { recursive: true });
  const prefix = target.wheel.replace('-', '_') + `-${TF_VERSION}-`;
  let wheel = readdirSync(wheels).find(f => f.startsWith(prefix) && f.endsWith('.whl'));
  if (!wheel) {
    info(`downloading the ${target.wheel}==${TF_VERSION} wheel from PyPI (about 250 MB, once)`);
    run(
      python(),
      [
        '-m',
        'pip',
        'download',
        '--no-deps',
        '--progress-bar',
        'off',
        '-d',
        wheels,
        `${target.wheel}==${TF_VERSION}`
      ],
      {
        hint: 'PyPI must be reachable; set PRETEXT_PYTHON to a Python 3.11 interpreter if python3 is another version.'
      }
    );
    wheel = readdirSync(wheels).find(f => f.startsWith(prefix) && f.endsWith('.whl'));
    if (!wheel) {
      throw new SetupError(`pip did not leave a ${target.wheel} wheel in ${wheels}.`);
    }
  }
  info(`unpacking libtensorflow_cc, libtensorflow_framework and headers from ${wheel}`);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dest, { recursive: true });
  run(
    'unzip',
    [
      '-q',
      '-o',
      join(wheels, wheel),
      'tensorflow/libtensorflow_cc.so.2',
      'tensorflow/libtensorflow_framework.so.2',
      'tensorflow/include/*',
      '-d',
      dest
    ],
    {
      hint: 'Install unzip (apt-get install unzip).'
    }
  );
  run('touch', [done]);
  return dest;
}

function relink(path, target) {
  try {
    lstatSync(path);
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing to remove
  }
  symlinkSync(target, path);
}

/** Checks in a child process that the binding loads and reports the native backend. */
function backendOf(pkg) {
  const out = capture(process.execPath, [
    '-e',
    `const tf=require('${pkg}');process.stdout.write(tf.getBackend()+' '+tf.version_core+(typeof tf.backend().binding.pretextGraphNew==='function'?' +graph':''))`
  ]);
  return out ? out.trim() : null;
}

export function setupNativeTensorflow() {
  const target = nativeTarget();
  step(`Native TensorFlow backend for ${target.pkg} (${target.wheel} ${TF_VERSION} from PyPI)`);
  const pkgDir = join(ROOT, 'node_modules', target.pkg);
  if (!existsSync(pkgDir)) {
    if (!target.gpu) {
      throw new SetupError(
        `${target.pkg} is not installed: run 'npm install --ignore-scripts' first.`
      );
    }
    run('npm', ['install', '--no-save', '--ignore-scripts', `${target.pkg}@4.22.0`]);
  }
  const binding = join(pkgDir, 'lib', 'napi-v8', 'tfjs_binding.node');
  once(
    `native-${target.wheel}`,
    `${TF_VERSION}+graph-${graphPatchKey()}`,
    () => existsSync(binding) && /^tensorflow.* \+graph$/.test(backendOf(target.pkg) ?? ''),
    () => {
      const lib = unpackWheel(target);
      const deps = join(pkgDir, 'deps');
      mkdirSync(join(deps, 'lib'), { recursive: true });
      // libtensorflow_cc exports the TF_/TFE_ C API the binding calls; the linker needs the
      // unversioned names, the loader the versioned ones (found through the binding's $ORIGIN rpath).
      const links = {
        'libtensorflow.so': 'libtensorflow_cc.so.2',
        'libtensorflow_cc.so.2': 'libtensorflow_cc.so.2',
        'libtensorflow_framework.so': 'libtensorflow_framework.so.2',
        'libtensorflow_framework.so.2': 'libtensorflow_framework.so.2'
      };
      for (const [name, file] of Object.entries(links)) {
        relink(join(deps, 'lib', name), join(lib, 'tensorflow', file));
      }
      relink(join(deps, 'include'), join(lib, 'tensorflow', 'include'));
      patchBinding(pkgDir);
      info(
        "compiling the tfjs-node binding against it, with Pretext's graph functions (node-gyp, about 20 s)"
      );
      const gyp = join(ROOT, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
      run(
        process.execPath,
        [
          gyp,
          'rebuild',
          '--nodedir=/usr',
          '--module_name=tfjs_binding',
          '--module_path=lib/napi-v8',
          '--napi_build_version=8'
        ],
        {
          cwd: pkgDir,
          hint: "Needs g++, make and Node's headers in /usr/include/node (Debian: apt-get install build-essential nodejs)."
        }
      );
      mkdirSync(join(pkgDir, 'lib', 'napi-v8'), { recursive: true });
      copyFileSync(join(pkgDir, 'build', 'Release', 'tfjs_binding.node'), binding);
    }
  );
  const backend = backendOf(target.pkg);
  if (!backend || !backend.startsWith('tensorflow') || !backend.endsWith('+graph')) {
    throw new SetupError(
      `${target.pkg} does not load the native backend (got: ${backend ?? 'load error'}). Delete node_modules/.pretext-stamps and rerun 'npm run setup'.`
    );
  }
  info(`require('${target.pkg}') -> backend ${backend}`);
}
