/**
 * oneDNN's max-pool workspaces, one per pool output that a recorded forward produced. A
 * workspace is a raw TF handle keyed by its output's data id (the tape's saved copy of the
 * output shares that id), and it is freed in the same moment as the output's own data: a
 * hook on the backend's `disposeData` frees it when the last tensor on that data goes. So a
 * workspace never outlives its output and never shows in tf.memory().
 */
import type * as tfTypes from '@tensorflow/tfjs-node';
import type { RawBackend } from './ops';

const workspaces = new Map<object, number>();
const hooked = new WeakSet<object>();

/** Wraps `backend.disposeData` (once per backend) to free a workspace with its output. */
export function takeWorkspaceHook(backend: RawBackend): void {
  if (hooked.has(backend)) {
    return;
  }
  hooked.add(backend);
  const dispose = backend.disposeData.bind(backend);
  backend.disposeData = (dataId: object, force?: boolean) => {
    const released = dispose(dataId, force);
    if (released) {
      const workspace = workspaces.get(dataId);
      if (workspace !== undefined) {
        workspaces.delete(dataId);
        backend.binding.deleteTensor(workspace);
      }
    }
    return released;
  };
}

export function keepWorkspace(output: tfTypes.Tensor, workspace: number): void {
  workspaces.set(output.dataId, workspace);
}

export function workspaceOf(output: tfTypes.Tensor): number | undefined {
  return workspaces.get(output.dataId);
}

/** How many workspaces are alive (tests: none may outlive its output). */
export function liveWorkspaces(): number {
  return workspaces.size;
}
