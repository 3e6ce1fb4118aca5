import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../../../../kernel/src/loaders/tables/csv';
import {
  fromRecords,
  loadTable,
  splitTable,
  vegaData
} from '../../../../kernel/src/loaders/tables/table';
import { PretextError } from '../../../../kernel/src/util/errors';

const dir = mkdtempSync(join(tmpdir(), 'pretext-table-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const messageMatches = (pattern: RegExp) => (error: unknown) =>
  error instanceof PretextError && pattern.test(error.message);

test('penguins: inferred kinds, standardised numbers, one-hot categories, imputed and reported gaps', () => {
  const data = loadTable(vegaData('penguins.json'), { label: 'Species' });
  const kinds = Object.fromEntries(data.schema.plans.map(p => [p.name, p.kind]));
  assert.deepEqual(kinds, {
    Species: 'label',
    Island: 'categorical',
    'Beak Length (mm)': 'numeric',
    'Beak Depth (mm)': 'numeric',
    'Flipper Length (mm)': 'numeric',
    'Body Mass (g)': 'numeric',
    Sex: 'categorical'
  });
  assert.deepEqual(data.classNames, ['Adelie', 'Chinstrap', 'Gentoo']);
  assert.equal(data.inputs.shape[0], 344);
  // 3 islands + 4 numbers each with a missing flag + Sex (MALE, FEMALE, '.', (missing)).
  assert.equal(data.inputs.shape[1], 3 + 4 * 2 + 4);
  assert.equal(data.schema.featureNames.length, data.inputs.shape[1]);
  assert.equal(data.schema.groups.length, data.inputs.shape[1]);
  const x = data.inputs.arraySync();
  const col = (name: string) => x.map(r => r[data.schema.featureNames.indexOf(name)]);
  // Standardised: mean 0, std 1 over all rows (missing ones sit at the mean, 0).
  const mass = col('Body Mass (g)');
  const mean = mass.reduce((a, b) => a + b, 0) / mass.length;
  assert.ok(Math.abs(mean) < 1e-5, `mean ${mean}`);
  const flags = col('Body Mass (g) missing');
  assert.equal(
    flags.reduce((a, b) => a + b, 0),
    2,
    'two penguins have no body mass'
  );
  // Every row has exactly one island and one sex category.
  const oneHot = (prefix: string) =>
    x.every(
      r =>
        data.schema.featureNames
          .map((n, i) => (n.startsWith(prefix) ? r[i] : 0))
          .reduce((a, b) => a + b, 0) === 1
    );
  assert.ok(oneHot('Island='));
  assert.ok(oneHot('Sex='));
  // Gaps are reported: 2 missing per measurement and 10 missing sexes.
  assert.equal(data.report.count('filled'), 4 * 2 + 10);
  assert.match(data.report.summary(), /missing 'Sex': category \(missing\)/);
  const text = data.schema.toBundle()['text/plain'] as string;
  assert.match(text, /Body Mass \(g\)\s+numeric/);
  assert.match(text, /standardised \(mean 4202/);
  data.inputs.dispose();
});

test('overrides: kinds by name, unknown names get the closest suggestion, labels validated', () => {
  const penguins = vegaData('penguins.json');
  const data = loadTable(penguins, {
    columns: { Island: 'ignored', Species: 'label', Sex: 'ignored' }
  });
  assert.equal(data.inputs.shape[1], 8);
  assert.equal(data.schema.plans.find(p => p.name === 'Island')!.overridden, true);
  data.inputs.dispose();
  assert.throws(
    () => loadTable(penguins, { label: 'Species', columns: { island: 'categorical' } }),
    messageMatches(/names column 'island'[\s\S]*Did you mean 'Island'/)
  );
  assert.throws(
    () => loadTable(penguins, { label: 'species' }),
    messageMatches(/label names column 'species'[\s\S]*'Species'/)
  );
  assert.throws(
    () => loadTable(penguins, { label: 'Species', columns: { Sex: 'text' as never } }),
    messageMatches(/unknown kind 'text'/)
  );
  assert.throws(
    () => loadTable(penguins, { label: 'Species', columns: { Sex: 'label' } }),
    messageMatches(/More than one label column/)
  );
  assert.throws(
    () => loadTable(penguins, { lable: 'Species' } as never),
    messageMatches(/Unknown option 'lable'/)
  );
  assert.throws(() => vegaData('penguin.json'), messageMatches(/Did you mean 'penguins.json'/));
});

test('a label column with one class is a clear error', () => {
  const records = [
    { x: 1, y: 'a' },
    { x: 2, y: 'a' },
    { x: 3, y: null }
  ];
  assert.throws(() => loadTable(records, { label: 'y' }), messageMatches(/one class only \('a'\)/));
});

test('bad cells: non-numeric and infinite values in numeric columns are reported or rejected', () => {
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${i % 2 ? 'a' : 'b'},${i % 3}`);
  rows[5] = '5,a,oops';
  rows[9] = '9,b,inf';
  rows[12] = '12,b,';
  const path = file('bad.csv', ['id,kind,value', ...rows].join('\n'));
  const data = loadTable(path, { label: 'kind' });
  assert.equal(data.schema.plans.find(p => p.name === 'value')!.kind, 'numeric');
  const summary = data.report.summary();
  assert.match(
    summary,
    /non-numeric value in numeric 'value': treated as missing \(data row 6 \('oops'\)\)/
  );
  assert.match(summary, /NaN\/infinite value in numeric 'value'/);
  assert.match(summary, /missing 'value'/);
  assert.equal(data.report.count('filled'), 3);
  const values = data.inputs.arraySync();
  const flag = data.schema.featureNames.indexOf('value missing');
  assert.deepEqual(
    values.map((r, i) => (r[flag] === 1 ? i : -1)).filter(i => i >= 0),
    [5, 9, 12]
  );
  assert.ok(values.flat().every(Number.isFinite));
  data.inputs.dispose();
  assert.throws(
    () => loadTable(path, { label: 'kind', badValues: 'reject' }),
    messageMatches(/non-numeric value 'oops' in numeric column 'value', data row 6/)
  );
});

test('CSV edge cases: empty file, header only, ragged rows, duplicate headers', () => {
  assert.throws(() => loadTable(file('empty.csv', '')), messageMatches(/empty\.csv is empty/));
  assert.throws(
    () => loadTable(file('header.csv', 'a,b\n')),
    messageMatches(/header \(a, b\) but no data rows/)
  );
  const table = parseCsv('a,a,\n1,2,3\n4,5\n6,7,8\n', { name: 'messy' });
  assert.deepEqual(table.columns, ['a', 'a_2', 'column_3']);
  assert.equal(table.rows.length, 2);
  assert.match(table.report.summary(), /1 skipped: 2 fields, the header has 3 \(data row 2\)/);
  assert.match(table.report.summary(), /duplicate column name 'a'/);
  assert.throws(() => loadTable(join(dir, 'nope.csv')), messageMatches(/No such file/));
  assert.throws(() => loadTable(file('x.parquet', 'x')), messageMatches(/Cannot tell the format/));
});

test('records: absent keys are missing, nested values become text, non-objects are skipped', () => {
  const table = fromRecords([{ a: 1, b: 'x' }, { a: 2, c: { deep: true } }, 7, { a: 3, b: 'y' }]);
  assert.deepEqual(table.columns, ['a', 'b', 'c']);
  assert.equal(table.rows.length, 3);
  assert.deepEqual(table.rows[1], [2, null, '{"deep":true}']);
  assert.match(table.report.summary(), /not an object/);
  assert.throws(() => fromRecords([]), messageMatches(/is empty/));
});

test('splitTable fits the scaling on the pretraining pool only, and keeps the split', () => {
  const movies = loadTable(vegaData('movies.json'), { label: 'Major Genre' });
  assert.equal(movies.inputs.shape[0], 2926, 'rows without a genre are skipped');
  assert.equal(movies.report.count('skipped'), 275);
  const { data, split } = splitTable(movies, { seed: 3, labelFraction: 0.1 });
  assert.equal(data.schema.fittedRows, split.protocol.unlabeledSize);
  const pool = split.unlabeled.inputs.arraySync();
  const test = split.test.inputs.arraySync();
  const j = data.schema.featureNames.indexOf('IMDB Rating');
  const mean = (xs: number[][]) => xs.reduce((s, r) => s + r[j], 0) / xs.length;
  assert.ok(Math.abs(mean(pool)) < 1e-4, `pool mean ${mean(pool)} is 0: fitted there`);
  assert.ok(Math.abs(mean(test)) > 1e-4, 'the test rows were not used to fit');
  const enc = data.schema.encodings.find(e => e.name === 'IMDB Rating');
  const full = movies.schema.encodings.find(e => e.name === 'IMDB Rating');
  assert.ok(enc?.kind === 'numeric' && full?.kind === 'numeric' && enc.mean !== full.mean);
  assert.deepEqual(data.labels, movies.labels);
  for (const d of [movies, data, split.unlabeled, split.labeled, split.test]) {
    d.inputs.dispose();
  }
});
