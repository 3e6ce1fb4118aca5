/**
 * The display bridge over tslab. tslab's own `display.raw` sends one MIME type per output and
 * stringifies JSON; Jupyter renderers expect a bundle of several types with JSON as objects.
 * tslab keeps the current cell's display writer in `dist/jupyter`'s `lastWriteDisplayData`;
 * calling it directly sends a real multi-type `display_data` / `update_display_data` message.
 */
import { randomBytes } from 'node:crypto';
import type { MimeBundle } from './mime';

interface DisplayContent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id: string };
}

type DisplayWriter = (content: DisplayContent, update: boolean) => void;

/** Where bundles go outside a kernel: tests install a sink; plain Node prints the text. */
let sink: ((bundle: MimeBundle, displayId: string, update: boolean) => void) | null = null;

export function setDisplaySink(
  next: ((bundle: MimeBundle, displayId: string, update: boolean) => void) | null
): void {
  sink = next;
}

function kernelWriter(): DisplayWriter | null {
  try {
    // Resolved at call time: tslab swaps the writer for every executed cell.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData: DisplayWriter | null };
    return jupyter.lastWriteDisplayData;
  } catch {
    return null;
  }
}

function send(bundle: MimeBundle, displayId: string, update: boolean): void {
  if (sink) {
    sink(bundle, displayId, update);
    return;
  }
  const write = kernelWriter();
  if (write) {
    write({ data: bundle, metadata: {}, transient: { display_id: displayId } }, update);
  } else if (!update) {
    console.log(bundle['text/plain']);
  }
}

/**
 * One output area that can be replaced in place. An update replaces the WHOLE bundle, so
 * every update must carry every representation the saved notebook should keep.
 */
export class DisplayHandle {
  readonly id = randomBytes(8).toString('hex');
  private shown = false;

  show(bundle: MimeBundle): void {
    send(bundle, this.id, this.shown);
    this.shown = true;
  }
}

/** Shows a bundle as a new output and returns the handle that updates it. */
export function displayBundle(bundle: MimeBundle): DisplayHandle {
  const handle = new DisplayHandle();
  handle.show(bundle);
  return handle;
}
