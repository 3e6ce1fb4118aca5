import { displayBundle } from './display';
import type { ChartPayload } from '../protocol';
import {
  MIME,
  PROTOCOL_VERSION,
  type Displayable,
  type MimeBundle,
  type VegaLiteSpec
} from './mime';
import { specToSvg } from './vega';

/** A Vega-Lite chart with its static SVG fallback and a one-paragraph text summary. */
export class Chart implements Displayable {
  constructor(
    readonly spec: VegaLiteSpec,
    readonly summary: string,
    readonly title?: string
  ) {}

  async toBundle(): Promise<MimeBundle> {
    const payload: ChartPayload = {
      version: PROTOCOL_VERSION,
      spec: this.spec,
      // The renderer shows `title` above the chart; a spec with its own title needs no second one.
      ...(this.title && !this.spec.title ? { title: this.title } : {})
    };
    return {
      [MIME.chart]: payload,
      'image/svg+xml': await specToSvg(this.spec),
      'text/plain': this.summary
    };
  }
}

/**
 * Renders anything displayable as a new output in the notebook. Returns nothing, so a cell
 * ending in `await px.show(x)` prints no echo; use displayBundle for an updatable handle.
 */
export async function show(value: Displayable): Promise<void> {
  displayBundle(await value.toBundle());
}
