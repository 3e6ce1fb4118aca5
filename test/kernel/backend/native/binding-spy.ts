/** Test helper: the TF ops a computation runs through the binding, and the handles it leaves. */
import { tf } from '../../../../kernel/src/backend/tf';
import type { OpAttr, RawBackend } from '../../../../kernel/src/backend/native/ops';

/** The TF ops `f` executes through the binding, and how many handles it made are still live. */
export function opsRun(f: () => void): { ops: string[]; leakedHandles: number } {
  const backend = tf.findBackend('tensorflow') as unknown as RawBackend;
  const binding = backend.binding;
  const ops: string[] = [];
  const live = new Set<number>();
  // The binding's methods are read-only (also against shadowing by assignment), so the
  // backend sees a spy that defines its own in their place.
  const spy = Object.create(binding, {
    executeOp: {
      value: (name: string, opAttrs: OpAttr[], ids: number[], n: number) => {
        const out = binding.executeOp(name, opAttrs, ids, n);
        ops.push(name);
        out.forEach(m => live.add(m.id));
        return out;
      }
    },
    deleteTensor: {
      value: (id: number) => {
        live.delete(id);
        binding.deleteTensor(id);
      }
    }
  }) as RawBackend['binding'];
  backend.binding = spy;
  try {
    f();
  } finally {
    backend.binding = binding;
  }
  return { ops, leakedHandles: live.size };
}
