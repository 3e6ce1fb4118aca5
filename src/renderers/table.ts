/**
 * Renderer for `application/vnd.pretext.table+json`: results tables (linear
 * probe scores, run comparisons) that sort by clicking a column header.
 * Built with DOM calls and textContent only: cells come from untrusted data.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';

import { TABLE_MIME_TYPE } from '../mime';
import { PretextRenderer } from './base';
import { el } from './dom';
import { SortDirection, formatCell, isNumericColumn, sortRows } from './format';
import { Parsed } from './json';
import { ITableData, parseTableData } from './models';

interface ISortState {
  column: string;
  direction: SortDirection;
}

export class TableRenderer extends PretextRenderer<ITableData> {
  constructor(options: IRenderMime.IRendererOptions) {
    super(options, 'Pretext table');
    this.addClass('jp-Pretext-table');
  }

  protected parse(data: unknown): Parsed<ITableData> {
    return parseTableData(data);
  }

  protected render(data: ITableData): void {
    this._data = data;
    // Keep the user's sort across live updates while the column still exists.
    if (this._sort && !data.columns.some(column => column.name === this._sort?.column)) {
      this._sort = null;
    }
    this._draw();
  }

  protected reset(): void {
    this._data = null;
    this.node.replaceChildren();
  }

  /** Sorts by `column`: ascending first, then toggles on each further click. */
  sortBy(column: string): void {
    const direction: SortDirection =
      this._sort?.column === column && this._sort.direction === 'ascending'
        ? 'descending'
        : 'ascending';
    this._sort = { column, direction };
    this._draw();
  }

  private _draw(): void {
    const data = this._data;
    if (data === null) {
      return;
    }
    const numeric = new Map(
      data.columns.map(column => [
        column.name,
        isNumericColumn(data.rows, column.name, column.format)
      ])
    );
    const table = el('table', 'jp-Pretext-table-grid');
    if (data.caption) {
      table.append(el('caption', 'jp-Pretext-table-caption', data.caption));
    }

    const headRow = el('tr');
    for (const column of data.columns) {
      const th = el('th');
      th.scope = 'col';
      th.classList.toggle('jp-mod-numeric', numeric.get(column.name) === true);
      const sorted = this._sort?.column === column.name ? this._sort.direction : null;
      th.setAttribute('aria-sort', sorted ?? 'none');
      // A button makes the header reachable and clickable from the keyboard.
      const button = el('button', 'jp-Pretext-sortButton', column.label ?? column.name);
      button.type = 'button';
      button.title = `Sort by ${column.label ?? column.name}`;
      const indicator = el(
        'span',
        'jp-Pretext-sortIndicator',
        sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : ''
      );
      indicator.setAttribute('aria-hidden', 'true');
      button.append(indicator);
      button.addEventListener('click', () => this.sortBy(column.name));
      th.append(button);
      headRow.append(th);
    }
    const thead = el('thead');
    thead.append(headRow);

    const rows = this._sort
      ? sortRows(data.rows, this._sort.column, this._sort.direction)
      : data.rows;
    const tbody = el('tbody');
    for (const row of rows) {
      const tr = el('tr');
      for (const column of data.columns) {
        const td = el('td', undefined, formatCell(row[column.name], column.format));
        td.classList.toggle('jp-mod-numeric', numeric.get(column.name) === true);
        td.classList.toggle('jp-mod-missing', row[column.name] === null);
        tr.append(td);
      }
      tbody.append(tr);
    }
    if (rows.length === 0) {
      const tr = el('tr');
      const td = el('td', 'jp-Pretext-table-empty', 'No rows.');
      td.colSpan = data.columns.length;
      tr.append(td);
      tbody.append(tr);
    }
    table.append(thead, tbody);

    const children: HTMLElement[] = [];
    if (data.title) {
      children.push(el('div', 'jp-Pretext-title', data.title));
    }
    const scroller = el('div', 'jp-Pretext-table-scroll');
    scroller.append(table);
    children.push(scroller);
    this.node.replaceChildren(...children);
  }

  private _data: ITableData | null = null;
  private _sort: ISortState | null = null;
}

export function tableRendererExtension(): IRenderMime.IExtension {
  return {
    id: 'jupyterlab-pretext:table-renderer',
    // Rank 0: preferred over the text/plain (or text/html) fallback.
    rank: 0,
    dataType: 'json',
    rendererFactory: {
      safe: true,
      mimeTypes: [TABLE_MIME_TYPE],
      defaultRank: 0,
      createRenderer: options => new TableRenderer(options)
    }
  };
}
