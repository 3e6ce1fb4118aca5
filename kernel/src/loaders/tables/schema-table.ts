/** The fitted schema as a table: one row per source column, for notebooks and reports. */
import { Table } from '../../render/table';
import type { TableSchema } from './schema';

const fmt = (x: number) => String(Number(x.toPrecision(4)));

/** One row per source column: kind, why, missing count and the fitted encoding. */
export function schemaTable(schema: TableSchema): Table {
  const byName = new Map(schema.encodings.map(e => [e.name, e]));
  const rows = schema.plans.map(p => {
    const e = byName.get(p.name);
    let encoding = '—';
    if (p.kind === 'label') {
      encoding = `${schema.label!.classNames.length} classes`;
    } else if (e?.kind === 'numeric') {
      encoding = `${e.log ? 'log1p, then ' : ''}standardised (mean ${fmt(e.mean)}, std ${fmt(e.std)})${e.indicator ? ' + missing flag' : ''}`;
    } else if (e?.kind === 'categorical') {
      const shown = e.categories.slice(0, 4).join(', ');
      encoding = `one-hot ×${e.categories.length}: ${shown}${e.categories.length > 4 ? ', …' : ''}`;
    }
    return {
      column: p.name,
      kind: p.overridden ? `${p.kind} (set)` : p.kind,
      why: p.reason,
      missing: p.missing,
      distinct: p.distinct,
      encoding
    };
  });
  return new Table(
    [
      { name: 'column', format: 'text' },
      { name: 'kind', format: 'text' },
      { name: 'why', format: 'text' },
      { name: 'missing', format: 'number' },
      { name: 'distinct', format: 'number' },
      { name: 'encoding', format: 'text' }
    ],
    rows,
    'Table schema',
    `${schema.featureCount} encoded features from ${schema.encodings.length} columns; statistics fitted on ${schema.fittedRows} training rows. Override kinds with columns: { name: 'numeric' | 'categorical' | 'label' | 'ignored' }.`
  );
}
