import type { CellValue, TableColumn, TablePayload } from '../protocol';
import { MIME, PROTOCOL_VERSION, type Displayable, type MimeBundle } from './mime';

export type { CellValue, TableColumn } from '../protocol';

/** A small results table: sortable in the extension, HTML and text elsewhere. */
export class Table implements Displayable {
  constructor(
    readonly columns: TableColumn[],
    readonly rows: Record<string, CellValue>[],
    readonly title?: string,
    readonly caption?: string
  ) {}

  toBundle(): MimeBundle {
    const payload: TablePayload = {
      version: PROTOCOL_VERSION,
      ...(this.title ? { title: this.title } : {}),
      columns: this.columns,
      rows: this.rows,
      ...(this.caption ? { caption: this.caption } : {})
    };
    return {
      [MIME.table]: payload,
      'text/html': this.html(),
      'text/plain': this.text()
    };
  }

  private cells(row: Record<string, CellValue>): string[] {
    return this.columns.map(column => formatCell(row[column.name], column.format));
  }

  private text(): string {
    const header = this.columns.map(c => c.label ?? c.name);
    const body = this.rows.map(row => this.cells(row));
    const widths = header.map((h, i) => Math.max(h.length, ...body.map(r => r[i].length)));
    const line = (cells: string[]) =>
      cells
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd();
    return [
      ...(this.title ? [this.title] : []),
      line(header),
      line(widths.map(w => '-'.repeat(w))),
      ...body.map(line),
      ...(this.caption ? [this.caption] : [])
    ].join('\n');
  }

  private html(): string {
    const head = this.columns.map(c => `<th>${escapeHtml(c.label ?? c.name)}</th>`).join('');
    const body = this.rows
      .map(
        row =>
          `<tr>${this.cells(row)
            .map(c => `<td>${escapeHtml(c)}</td>`)
            .join('')}</tr>`
      )
      .join('');
    const caption = [this.title, this.caption]
      .filter(Boolean)
      .map(t => escapeHtml(t!))
      .join(' — ');
    return `<table>${caption ? `<caption>${caption}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }
}

export function formatCell(value: CellValue | undefined, format: TableColumn['format']): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (format === 'percent') {
    return `${(value * 100).toFixed(1)}%`;
  }
  if (format === 'text') {
    return String(value);
  }
  // Four significant digits: enough for accuracies and timings, no trailing-zero noise.
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
