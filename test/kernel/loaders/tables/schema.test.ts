import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataReport } from '../../../../kernel/src/data/report';
import { planColumns } from '../../../../kernel/src/loaders/tables/columns';
import { fitSchema, skewness } from '../../../../kernel/src/loaders/tables/fit';
import { fromRecords } from '../../../../kernel/src/loaders/tables/table';

test('schema inference: ids and free text are ignored, constants dropped, few texts categorical', () => {
  const records = Array.from({ length: 60 }, (_, i) => ({
    id: `user-${i}`,
    plan: ['free', 'pro', 'team'][i % 3],
    constant: 4,
    spend: i * 1.5,
    churned: i % 2 ? 'yes' : 'no'
  }));
  const plans = planColumns(fromRecords(records), { label: 'churned' });
  const kinds = Object.fromEntries(plans.map(p => [p.name, p.kind]));
  assert.deepEqual(kinds, {
    id: 'ignored',
    plan: 'categorical',
    constant: 'ignored',
    spend: 'numeric',
    churned: 'label'
  });
  assert.match(plans[0].reason, /60 distinct values.*id or free text/);
  // maxCategories caps explicit categoricals: the rest share one (other) column.
  const table = fromRecords(records);
  const capped = fitSchema(
    table,
    planColumns(table, { columns: { id: 'categorical' }, maxCategories: 5 }),
    { maxCategories: 5 }
  );
  assert.equal(capped.featureNames.filter(n => n.startsWith('id=')).length, 6);
  assert.ok(capped.featureNames.includes('id=(other)'));
});

test('a fitted schema encodes new rows with the training statistics, log-scaling skewed columns', () => {
  // amount is heavy-tailed (skewness > 2), so it is log1p-scaled; age is not.
  const amounts = [0, 1, 2, 3, 1, 2, 3, 1, 2, 3, 2, 5000];
  const ages = [20, 30, 40, null, 50, 20, 30, 40, 50, 30, 40, 35];
  const train = fromRecords(
    amounts.map((amount, i) => ({ amount, age: ages[i], city: i % 2 ? 'Rome' : 'Oslo' }))
  );
  assert.ok(skewness(amounts) > 2);
  assert.ok(skewness([0, 1, 2, 3, 1000]) < 2, 'five values cannot be skewed beyond 1.5');
  assert.equal(skewness([1, 2, 3]), 0);
  const schema = fitSchema(train, planColumns(train), {});
  const [amount, age] = schema.encodings;
  assert.ok(amount.kind === 'numeric' && amount.log && !amount.indicator);
  assert.ok(age.kind === 'numeric' && !age.log && age.indicator);
  assert.equal(age.mean, 35, 'mean of the 11 present training ages');
  assert.deepEqual(schema.featureNames, ['amount', 'age', 'age missing', 'city=Oslo', 'city=Rome']);
  assert.deepEqual(Array.from(schema.groups), [0, 1, 1, 2, 2]);
  const fresh = fromRecords([
    { amount: 7, age: 35, city: 'Paris' },
    { amount: -5, age: 'old', city: 'Rome' }
  ]);
  const report = new DataReport('new rows');
  const { values, rows } = schema.encode(fresh, report);
  assert.deepEqual(Array.from(rows), [0, 1]);
  const logs = amounts.map(Math.log1p);
  const m = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - m) ** 2, 0) / logs.length);
  assert.ok(Math.abs(values[0] - (Math.log1p(7) - m) / sd) < 1e-5);
  // age 35 is the training mean: 0, present. 'Paris' was never seen: all-zero one-hot.
  assert.deepEqual(Array.from(values.slice(1, 5)), [0, 0, 0, 0]);
  // A negative amount in a log column clamps to log1p(0); 'old' is not a number: mean + flag.
  assert.ok(Math.abs(values[5] - (0 - m) / sd) < 1e-5);
  assert.deepEqual(Array.from(values.slice(6, 10)), [0, 1, 0, 1]);
  assert.match(report.summary(), /'city' category not seen when fitting/);
  assert.match(report.summary(), /non-numeric value in numeric 'age'/);
  const json = JSON.parse(JSON.stringify(schema));
  assert.equal(json.encodings[1].mean, 35);
  assert.equal(json.fittedRows, 12);
});

test('rows without the label column are encoded unlabeled; a missing feature column is named', () => {
  const train = fromRecords([
    { x: 1, y: 'a' },
    { x: 2, y: 'b' },
    { x: 3, y: 'a' }
  ]);
  const schema = fitSchema(train, planColumns(train, { label: 'y' }), {});
  const unlabeled = schema.encode(fromRecords([{ x: 2 }, { x: 4 }]), new DataReport('new'));
  assert.equal(unlabeled.labels, undefined);
  assert.equal(unlabeled.rows.length, 2);
  assert.throws(
    () => schema.encode(fromRecords([{ X: 2, y: 'a' }]), new DataReport('new')),
    /names column 'x'[\s\S]*Did you mean 'X'/
  );
});
