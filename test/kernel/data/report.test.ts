import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataReport } from '../../../kernel/src/data/report';
import { MIME } from '../../../kernel/src/render/mime';

test('a clean report says so', () => {
  const report = new DataReport('images in ./photos');
  report.total = 12;
  assert.ok(report.ok);
  assert.equal(report.summary(), 'images in ./photos: all 12 items loaded, no problems.');
});

test('the summary groups problems, counts them and names a few sources', () => {
  const report = new DataReport('rows of data.csv');
  report.total = 100;
  for (const row of [3, 7, 9, 12, 40]) {
    report.note(`row ${row}`, "'abc' in numeric column 'age'", 'filled');
  }
  report.note('row 50', 'empty line', 'skipped');
  assert.equal(report.count(), 6);
  assert.equal(report.count('filled'), 5);
  assert.equal(report.count('rejected'), 0);
  assert.equal(
    report.summary(),
    "rows of data.csv: 6 of 100 with problems. 5 filled: 'abc' in numeric column 'age' (row 3, row 7, row 9, +2 more); 1 skipped: empty line (row 50)."
  );
});

test('throwIfEmpty explains what was dropped', () => {
  const report = new DataReport('texts in notes.jsonl');
  report.note('line 1', 'empty text', 'skipped');
  assert.doesNotThrow(() => report.throwIfEmpty(1, 'unused'));
  assert.throws(
    () => report.throwIfEmpty(0, 'Check the textField option.'),
    /nothing usable was loaded\. texts in notes\.jsonl: 1 with problems\. 1 skipped: empty text \(line 1\)\.\nFix: Check the textField option\./
  );
});

test('the report displays as a table with text fallbacks, sources as text', () => {
  const report = new DataReport('files');
  report.note('<img src=x onerror=alert(1)>.png', 'not an image', 'skipped');
  const bundle = report.toBundle();
  const table = bundle[MIME.table] as { rows: Record<string, unknown>[] };
  assert.equal(table.rows[0].count, 1);
  assert.match(String(bundle['text/html']), /&lt;img src=x/);
  assert.doesNotMatch(String(bundle['text/html']), /<img/);
  assert.match(String(bundle['text/plain']), /not an image/);
});
