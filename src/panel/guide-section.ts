/**
 * The side panel's guide: the seven steps of a self-supervised project, in the kernel
 * guide's own words (generated from kernel/src/guide/guide.ts), each with links to the
 * catalog entries and notebook templates that help with it.
 */
import type { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { ICatalog, guideLinks } from '../catalog/model';
import { CommandIds } from '../commands/ids';
import { el } from '../renderers/dom';

export class GuideSection extends Widget {
  constructor(catalog: ICatalog, commands: CommandRegistry, revealMethod: (name: string) => void) {
    super();
    this.id = 'jp-pretext-panel-guide';
    this.title.label = 'Guide';
    this.addClass('jp-PretextPanel-section');
    this.node.dataset.pretextSection = 'guide';

    const list = el('ol', 'jp-PretextPanel-steps');
    for (const step of catalog.guide) {
      const item = el('li', 'jp-PretextPanel-step');
      item.dataset.pretextStep = step.id;
      item.append(
        el('strong', 'jp-PretextPanel-stepTitle', step.title),
        el('p', 'jp-PretextPanel-stepDetail', step.detail)
      );
      const links = guideLinks(catalog, step.id);
      if (links.length > 0) {
        const row = el('div', 'jp-PretextPanel-links');
        for (const link of links) {
          const button = el('button', 'jp-PretextPanel-link', link.label);
          button.type = 'button';
          if (link.kind === 'method') {
            button.dataset.pretextLink = `method:${link.name}`;
            button.title = `Show '${link.name}' in the method catalog`;
            button.addEventListener('click', () => revealMethod(link.name));
          } else {
            button.dataset.pretextLink = `template:${link.id}`;
            button.title = 'Open this example as a new Pretext notebook';
            button.addEventListener(
              'click',
              () => void commands.execute(CommandIds.newNotebook, { template: link.id })
            );
          }
          row.appendChild(button);
        }
        item.appendChild(row);
      }
      list.appendChild(item);
    }
    this.node.append(
      el(
        'p',
        'jp-PretextPanel-intro',
        'Seven steps of a self-supervised project. In a notebook, px.guide() ticks them off as you go.'
      ),
      list
    );
  }
}
