/**
 * Shared skeleton of the Pretext MIME renderers: read the data (object or JSON
 * string), validate it, and either render it or show a readable error box.
 * A malformed output must never throw into the output area.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { errorBox } from './dom';
import { Parsed } from './json';

export abstract class PretextRenderer<T> extends Widget implements IRenderMime.IRenderer {
  /**
   * @param label - names the output kind in error messages ("Pretext chart").
   */
  constructor(options: IRenderMime.IRendererOptions, label: string) {
    super();
    this.mimeType = options.mimeType;
    this._label = label;
    this.addClass('jp-Pretext-output');
  }

  readonly mimeType: string;

  /**
   * Called on first display and again, on the same widget, for every
   * update_display_data: subclasses update their DOM in place.
   */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    if (this.isDisposed) {
      return;
    }
    const parsed = this.parse(model.data[this.mimeType]);
    if (!parsed.ok) {
      this.showError(parsed.error);
      return;
    }
    // Coming back from an error: the next render rebuilds (reset() ran).
    this.removeClass('jp-mod-error');
    try {
      await this.render(parsed.value);
    } catch (error) {
      this.showError(error instanceof Error ? error.message : String(error));
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.reset();
    super.dispose();
  }

  /** Validates the raw MIME data. */
  protected abstract parse(data: unknown): Parsed<T>;

  /** Shows valid data, reusing what is already on screen where possible. */
  protected abstract render(value: T): Promise<void> | void;

  /** Drops what was rendered (Vega views, cached elements) so the next render starts fresh. */
  protected abstract reset(): void;

  protected showError(message: string): void {
    this.reset();
    // Lets the stylesheet drop the renderer's own frame around the error box.
    this.addClass('jp-mod-error');
    this.node.replaceChildren(errorBox(`${this._label}: ${message}`));
  }

  private _label: string;
}
