import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MIME } from '../../../kernel/src/render/mime';
import { Table, formatCell } from '../../../kernel/src/render/table';

test('table bundle carries JSON rows, escaped HTML and aligned text', () => {
  const table = new Table(
    [{ name: 'model' }, { name: 'acc', label: 'accuracy', format: 'percent' }],
    [
      { model: '<img src=x onerror=alert(1)>', acc: 0.912 },
      { model: 'random init', acc: null }
    ],
    'Results & more'
  );
  const bundle = table.toBundle();
  const json = bundle[MIME.table] as { rows: unknown[]; title: string };
  assert.equal(json.rows.length, 2);
  assert.equal(json.title, 'Results & more');
  const html = bundle['text/html'] as string;
  assert.ok(!html.includes('<img'), 'raw HTML from data must be escaped');
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(html.includes('Results &amp; more'));
  const lines = bundle['text/plain'].split('\n');
  assert.equal(lines[0], 'Results & more');
  assert.match(lines[1], /^model\s+accuracy$/);
  assert.ok(lines.some(l => l.includes('91.2%')));
  assert.ok(lines.some(l => l.includes('random init') && l.includes('—')));
});

test('formatCell formats percents, integers, floats and missing values', () => {
  assert.equal(formatCell(0.5, 'percent'), '50.0%');
  assert.equal(formatCell(3, 'number'), '3');
  assert.equal(formatCell(0.123456, undefined), '0.1235');
  assert.equal(formatCell(2.1, 'number'), '2.1');
  assert.equal(formatCell(null, 'percent'), '—');
  assert.equal(formatCell('x', 'percent'), 'x');
});
