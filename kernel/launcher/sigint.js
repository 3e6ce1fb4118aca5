/**
 * Keeps the kernel's SIGINT handlers working after a cell runs.
 *
 * Why: tslab runs each cell with `vm.runInThisContext(code, { breakOnSigint: true })`. Node
 * then removes the SIGINT listeners, runs the cell's synchronous part under a watchdog, and on
 * return puts back a signal disposition that exits the process. When the cell adds a SIGINT
 * listener in that synchronous part (train() does, to stop at a step boundary), libuv believes
 * its handler is still installed and never reinstalls it: the next Jupyter interrupt (the stop
 * button) kills the kernel instead of stopping training. Removing and re-adding the listeners
 * after each cell makes libuv install its handler again.
 */
'use strict';

function reinstallSigintListeners() {
  const listeners = process.rawListeners('SIGINT');
  if (listeners.length === 0) {
    return;
  }
  process.removeAllListeners('SIGINT');
  for (const listener of listeners) {
    process.on('SIGINT', listener);
  }
}

/** Wraps vm.runInThisContext so that every cell leaves SIGINT handled by Node. */
function keepSigintHandlers(vm) {
  const run = vm.runInThisContext;
  vm.runInThisContext = function (...args) {
    try {
      return run.apply(this, args);
    } finally {
      reinstallSigintListeners();
    }
  };
}

module.exports = { keepSigintHandlers, reinstallSigintListeners };
