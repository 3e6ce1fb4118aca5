// Adds Pretext's graph functions (kernel/native/graph_functions.cc) to the tfjs-node binding
// before it is compiled: one source file, an accessor for the binding's eager context, and one
// registration call. Every edit is anchored on the tfjs-node 4.22 sources and checked, so a
// different tfjs-node fails here with a clear message instead of compiling something else.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, SetupError } from './util.mjs';

export const GRAPH_SOURCE = join(ROOT, 'kernel', 'native', 'graph_functions.cc');
const MARK = '// pretext graph functions';

/** A short hash of the graph-function source and this patch, for the build stamp. */
export function graphPatchKey() {
  const hash = createHash('sha256');
  hash.update(readFileSync(GRAPH_SOURCE));
  hash.update(readFileSync(fileURLToPath(import.meta.url)));
  return hash.digest('hex').slice(0, 12);
}

function edit(file, anchor, replacement) {
  const text = readFileSync(file, 'utf8');
  if (text.includes(replacement)) {
    return;
  }
  if (!text.includes(anchor)) {
    throw new SetupError(
      `Cannot add Pretext's graph functions to ${file}: '${anchor.trim()}' not found (tfjs-node changed?). ` +
        'Use the tfjs-node version in package-lock.json (npm ci), then rerun npm run setup.'
    );
  }
  writeFileSync(file, text.replace(anchor, replacement));
}

/** Patches the binding sources in `pkgDir` (idempotent). */
export function patchBinding(pkgDir) {
  copyFileSync(GRAPH_SOURCE, join(pkgDir, 'binding', 'pretext_graph_functions.cc'));
  edit(
    join(pkgDir, 'binding.gyp'),
    "'binding/tfjs_binding.cc'",
    `'binding/tfjs_binding.cc',\n      'binding/pretext_graph_functions.cc' ${MARK.replace('//', '#')}`
  );
  edit(
    join(pkgDir, 'binding', 'tfjs_backend.h'),
    ' private:\n  TFJSBackend(napi_env env);',
    `  ${MARK}: the eager context, for registering traced functions.\n  TFE_Context *context() { return tfe_context_; }\n\n private:\n  TFJSBackend(napi_env env);`
  );
  edit(
    join(pkgDir, 'binding', 'tfjs_binding.cc'),
    '#undef EXPORT_INT_PROPERTY\n\n  return exports;',
    `#undef EXPORT_INT_PROPERTY\n\n  ${MARK}\n  pretext_graph::RegisterGraphFunctions(env, exports);\n  return exports;`
  );
  edit(
    join(pkgDir, 'binding', 'tfjs_binding.cc'),
    'namespace tfnodejs {',
    `${MARK}\nnamespace pretext_graph {\nvoid RegisterGraphFunctions(napi_env env, napi_value exports);\n}\n\nnamespace tfnodejs {`
  );
}
