/**
 * The side panel's method catalog: the methods grouped by modality, each with its family,
 * summary and advice, and an "Insert" button that puts its snippet into the notebook.
 */
import type { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { ICatalog, groupByModality } from '../catalog/model';
import { IInsertResult } from '../commands/actions';
import { CommandIds } from '../commands/ids';
import { el } from '../renderers/dom';

export class CatalogSection extends Widget {
  constructor(catalog: ICatalog, commands: CommandRegistry) {
    super();
    this._commands = commands;
    this.id = 'jp-pretext-panel-catalog';
    this.title.label = 'Method catalog';
    this.addClass('jp-PretextPanel-section');
    this.node.dataset.pretextSection = 'catalog';

    this._message.setAttribute('role', 'status');
    this._message.dataset.pretextRole = 'message';
    this._message.hidden = true;
    this.node.appendChild(this._message);

    for (const group of groupByModality(catalog.methods)) {
      const section = el('section', 'jp-PretextPanel-group');
      section.dataset.pretextModality = group.modality;
      section.appendChild(el('h3', 'jp-PretextPanel-groupTitle', group.label));
      for (const method of group.methods) {
        const card = el('article', 'jp-PretextPanel-method');
        card.dataset.pretextMethod = method.name;
        const header = el('div', 'jp-PretextPanel-methodHeader');
        header.append(
          el('span', 'jp-PretextPanel-methodName', method.name),
          el('span', 'jp-PretextPanel-badge', method.family)
        );
        const insert = el(
          'button',
          'jp-Button jp-mod-styled jp-mod-accept jp-PretextPanel-insert',
          'Insert'
        );
        insert.type = 'button';
        insert.dataset.pretextAction = 'insert';
        insert.title = `Insert a ready-to-run '${method.name}' cell below the active cell`;
        insert.addEventListener('click', () => void this._insert(method.name));
        header.appendChild(insert);
        const when = el('p', 'jp-PretextPanel-when');
        when.append(
          el('strong', undefined, 'When to use: '),
          document.createTextNode(method.whenToUse)
        );
        card.append(header, el('p', 'jp-PretextPanel-summary', method.summary), when);
        section.appendChild(card);
        this._cards.set(method.name, card);
      }
      this.node.appendChild(section);
    }
  }

  /** Scrolls to a method and highlights it briefly (guide links). */
  reveal(name: string): void {
    const card = this._cards.get(name);
    if (card === undefined) {
      return;
    }
    card.scrollIntoView({ block: 'nearest' });
    card.classList.add('jp-mod-highlighted');
    window.setTimeout(() => card.classList.remove('jp-mod-highlighted'), 1500);
  }

  private async _insert(name: string): Promise<void> {
    let result: IInsertResult;
    try {
      result = (await this._commands.execute(CommandIds.insertSnippet, {
        method: name,
        quiet: true
      })) as IInsertResult;
    } catch (error) {
      result = {
        inserted: false,
        message: `Could not insert '${name}': ${(error as Error).message}`
      };
    }
    this._message.textContent = result.message;
    this._message.dataset.pretextInserted = String(result.inserted);
    this._message.classList.toggle('jp-mod-warning', !result.inserted);
    this._message.hidden = false;
  }

  private _commands: CommandRegistry;
  private _message = el('div', 'jp-PretextPanel-message');
  private _cards = new Map<string, HTMLElement>();
}
