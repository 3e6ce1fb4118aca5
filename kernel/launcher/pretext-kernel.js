#!/usr/bin/env node
/**
 * Starts tslab as the "TypeScript (Pretext)" kernel so that a notebook in ANY folder can write
 * `import * as px from 'pretext'`.
 *
 * tslab type-checks cells with its bundled TypeScript, resolving modules from the notebook's
 * folder (the kernel's cwd). We map `<cwd>/node_modules/pretext/...` onto this library's real
 * folder in TypeScript's file-system layer, the way tslab maps its own `tslab` import.
 * At run time NODE_PATH (set in the kernelspec) lets `require('pretext')` find the library.
 */
'use strict';
const path = require('node:path');

const LIBRARY_NAME = 'pretext';
const libraryRoot = path.resolve(__dirname, '..');
const tslabRoot = path.dirname(require.resolve('tslab/package.json', { paths: [libraryRoot] }));
const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [tslabRoot] }));

/** The real path for a path under <cwd>/node_modules/pretext, or the path unchanged. */
function forward(file) {
  if (typeof file !== 'string') {
    return file;
  }
  const virtualRoot = path.join(process.cwd(), 'node_modules', LIBRARY_NAME);
  const rel = path.relative(virtualRoot, file);
  if (rel === '') {
    return libraryRoot;
  }
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    return file;
  }
  return path.join(libraryRoot, rel);
}

function wrap(
  name,
  transform = fn =>
    (file, ...rest) =>
      fn(forward(file), ...rest)
) {
  const original = ts.sys[name];
  if (typeof original === 'function') {
    ts.sys[name] = transform(original.bind(ts.sys));
  }
}

wrap('fileExists');
wrap('readFile');
wrap('getDirectories');
wrap('readDirectory');
wrap('realpath');
wrap('directoryExists', fn => dir => {
  // The notebook's folder may have no node_modules at all; report it so resolution looks inside.
  if (dir === path.join(process.cwd(), 'node_modules')) {
    return true;
  }
  return fn(forward(dir));
});

// A Jupyter interrupt must reach train()'s SIGINT handler, not kill the kernel (see sigint.js).
require('./sigint').keepSigintHandlers(require('node:vm'));

// Before main.js creates its converters: `{ augment }` with `augment` from an earlier cell.
const { patchConverter } = require('./shorthand');
patchConverter(ts, require(path.join(tslabRoot, 'dist', 'converter.js')));

const { startKernel } = require(path.join(tslabRoot, 'dist', 'main.js'));
const { getVersion } = require(path.join(tslabRoot, 'dist', 'util.js'));

const args = process.argv.slice(2);
const configIndex = args.indexOf('--config-path');
if (args[0] !== 'kernel' || configIndex < 0 || !args[configIndex + 1]) {
  console.error('usage: pretext-kernel kernel --config-path <connection file>');
  process.exit(2);
}
// enableFindLocal: false, so a different tslab in the notebook's folder tree is never picked up.
startKernel({
  configPath: args[configIndex + 1],
  enableFindLocal: false,
  jsKernel: false,
  globalVersion: getVersion()
});
