/**
 * Renderer for `application/vnd.pretext.guide+json`: the seven-step guide as a
 * checklist card with advice drawn from the session's runs. The kernel updates
 * it in place as the notebook progresses. Text goes through textContent only.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { GUIDE_MIME_TYPE } from '../mime';
import { PretextRenderer } from './base';
import { el } from './dom';
import { IGuideData, parseGuideData } from './guide-model';
import { Parsed } from './json';

export class GuideRenderer extends PretextRenderer<IGuideData> {
  constructor(options: IRenderMime.IRendererOptions) {
    super(options, 'Pretext guide');
    this.addClass('jp-Pretext-guide');
  }

  protected parse(data: unknown): Parsed<IGuideData> {
    return parseGuideData(data);
  }

  protected render(data: IGuideData): void {
    const done = data.steps.filter(step => step.done).length;
    const header = el(
      'div',
      'jp-Pretext-title',
      `Step-by-step guide · ${done} of ${data.steps.length} done`
    );
    const list = el('ol', 'jp-Pretext-guide-steps');
    for (const step of data.steps) {
      const item = el('li', 'jp-Pretext-guide-step');
      item.classList.toggle('jp-mod-done', step.done);
      const mark = el('span', 'jp-Pretext-guide-mark', step.done ? '✓' : '');
      mark.setAttribute('aria-label', step.done ? 'done' : 'to do');
      const text = el('div', 'jp-Pretext-guide-text');
      text.append(
        el('div', 'jp-Pretext-guide-stepTitle', step.title),
        el('div', 'jp-Pretext-guide-detail', step.detail)
      );
      item.append(mark, text);
      list.append(item);
    }
    const children: HTMLElement[] = [header, list];
    if (data.advice.length > 0) {
      const advice = el('ul', 'jp-Pretext-guide-advice');
      for (const item of data.advice) {
        const entry = el('li', `jp-Pretext-guide-advice-${item.level}`, item.text);
        advice.append(entry);
      }
      children.push(advice);
    }
    this.node.replaceChildren(...children);
  }

  protected reset(): void {
    this.node.replaceChildren();
  }
}

export function guideRendererExtension(): IRenderMime.IExtension {
  return {
    id: 'jupyterlab-pretext:guide-renderer',
    rank: 0,
    dataType: 'json',
    rendererFactory: {
      safe: true,
      mimeTypes: [GUIDE_MIME_TYPE],
      defaultRank: 0,
      createRenderer: options => new GuideRenderer(options)
    }
  };
}
