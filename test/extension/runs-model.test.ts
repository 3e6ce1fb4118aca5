// Tests for the run store model (src/runs/model.ts, reading through src/runs/local-runs.ts)
// over a fake contents API laid out like the kernel's run store. Run: node --import tsx --test test/extension/runs-model.test.ts
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { normalizeRoot } from '../../src/runs/local-runs';
import { RunStoreModel } from '../../src/runs/model';
import {
  FakeContents,
  configJson,
  loadKernelRunFixtures,
  metricsJsonl,
  summaryJson
} from './run-fixtures';

before(async () => {
  await loadKernelRunFixtures();
});

function store(): FakeContents {
  const contents = new FakeContents();
  const add = (id: string, config: Record<string, unknown>, summary?: Record<string, unknown>) => {
    contents.files.set(`runs/${id}/config.json`, configJson({ id, ...config }));
    if (summary) {
      contents.files.set(`runs/${id}/summary.json`, summaryJson(summary));
    }
  };
  add('a-simclr', { method: 'simclr', created: '2026-11-28T01:00:00Z' }, { status: 'done' });
  add('b-byol', { method: 'byol', created: '2026-11-28T02:00:00Z' }, { status: 'running' });
  add(
    'c-simclr',
    { method: 'simclr', created: '2026-11-28T03:00:00Z', dataset: { name: 'cifar' } },
    { status: 'failed' }
  );
  contents.files.set('runs/a-simclr/metrics.jsonl', metricsJsonl(30));
  // A folder the kernel is still creating, and one that is not a run at all.
  contents.files.set('runs/d-new/environment.json', '{}');
  contents.files.set('runs/e-broken/config.json', '{"method": ');
  contents.files.set('runs/.hidden/config.json', configJson());
  contents.files.set('runs/notes.txt', 'not a run');
  return contents;
}

describe('normalizeRoot', () => {
  it('strips slashes and spaces', () => {
    assert.equal(normalizeRoot(' /runs/ '), 'runs');
    assert.equal(normalizeRoot('a/b/'), 'a/b');
    assert.equal(normalizeRoot('/'), '');
  });
});

describe('RunStoreModel', () => {
  it('lists the runs newest first, unreadable ones last with the reason', async () => {
    const model = new RunStoreModel(store(), 'runs/');
    await model.refresh();
    assert.equal(model.rootExists, true);
    assert.equal(model.error, null);
    assert.deepEqual(
      model.runs.map(r => [r.id, r.kind]),
      [
        ['c-simclr', 'run'],
        ['b-byol', 'run'],
        ['a-simclr', 'run'],
        // Ids start with the creation time: descending ids are newest first too.
        ['e-broken', 'unreadable'],
        ['d-new', 'unreadable']
      ]
    );
    const broken = model.find('e-broken');
    assert.ok(broken?.kind === 'unreadable' && /not valid JSON/.test(broken.reason));
  });

  it('filters by method, dataset and status, and offers the values present', async () => {
    const model = new RunStoreModel(store(), 'runs');
    await model.refresh();
    assert.deepEqual(model.choices, {
      method: ['byol', 'simclr'],
      dataset: ['cifar', 'mnist'],
      status: ['done', 'failed', 'running']
    });
    model.setFilter({ method: 'simclr' });
    assert.deepEqual(
      model.filtered.map(r => r.id),
      ['c-simclr', 'a-simclr']
    );
    model.setFilter({ method: 'simclr', dataset: 'mnist' });
    assert.deepEqual(
      model.filtered.map(r => r.id),
      ['a-simclr']
    );
    model.setFilter({ status: 'running', method: '' });
    assert.deepEqual(model.filter, { status: 'running' });
    assert.deepEqual(
      model.filtered.map(r => r.id),
      ['b-byol']
    );
    model.setFilter({});
    assert.equal(model.filtered.length, 5);
  });

  it('signals after a refresh that found changes and after a filter change', async () => {
    const contents = store();
    const model = new RunStoreModel(contents, 'runs');
    let changes = 0;
    model.changed.connect(() => changes++);
    await model.refresh();
    assert.equal(changes, 1);
    model.setFilter({ method: 'byol' });
    assert.equal(changes, 2);
    // Nothing new on disk: no redraw.
    await model.refresh();
    assert.equal(changes, 2);
    contents.files.set('runs/b-byol/summary.json', summaryJson({ status: 'done' }));
    await model.refresh();
    assert.equal(changes, 3);
  });

  it('sees runs written since the last refresh', async () => {
    const contents = store();
    const model = new RunStoreModel(contents, 'runs');
    await model.refresh();
    contents.files.set(
      'runs/f-vicreg/config.json',
      configJson({ method: 'vicreg', created: '2026-11-28T04:00:00Z' })
    );
    contents.files.set('runs/b-byol/summary.json', summaryJson({ status: 'done' }));
    contents.modified.set('runs/b-byol', '2026-11-28T05:00:00Z');
    await model.refresh();
    assert.equal(model.runs[0].id, 'f-vicreg');
    const byol = model.find('b-byol');
    assert.ok(byol?.kind === 'run' && byol.status === 'done');
  });

  it('does not re-read a finished run whose folder has not changed', async () => {
    const contents = store();
    const model = new RunStoreModel(contents, 'runs');
    await model.refresh();
    contents.reads = [];
    await model.refresh();
    assert.ok(!contents.reads.includes('runs/a-simclr/config.json'), 'finished run was re-read');
    assert.ok(contents.reads.includes('runs/b-byol/summary.json'), 'running run was not re-read');
  });

  it('reports a missing root as no store yet, not as an error', async () => {
    const model = new RunStoreModel(new FakeContents(), 'runs');
    await model.refresh();
    assert.equal(model.rootExists, false);
    assert.equal(model.error, null);
    assert.deepEqual(model.runs, []);
  });

  it('reports a root that is a file', async () => {
    const contents = new FakeContents();
    contents.files.set('runs', 'oops');
    const model = new RunStoreModel(contents, 'runs');
    await model.refresh();
    assert.match(model.error ?? '', /is a file, not a folder.*Settings/);
  });

  it('keeps the last list when the server fails, and says why', async () => {
    const contents = store();
    const model = new RunStoreModel(contents, 'runs');
    await model.refresh();
    contents.failures.set('runs', 500);
    await model.refresh();
    assert.match(model.error ?? '', /could not be listed: Server responded with 500/);
    assert.equal(model.runs.length, 5);
  });

  it('shows a run whose config cannot be read as unreadable, and its summary problem as a note', async () => {
    const contents = store();
    contents.failures.set('runs/a-simclr/config.json', 403);
    contents.failures.set('runs/b-byol/summary.json', 500);
    const model = new RunStoreModel(contents, 'runs');
    await model.refresh();
    const a = model.find('a-simclr');
    assert.ok(a?.kind === 'unreadable' && /config\.json could not be read/.test(a.reason));
    const b = model.find('b-byol');
    assert.ok(b?.kind === 'run' && b.notes.some(n => /summary\.json could not be read/.test(n)));
  });

  it('coalesces refreshes asked for while one runs, then reads again', async () => {
    const contents = store();
    const model = new RunStoreModel(contents, 'runs');
    let changes = 0;
    model.changed.connect(() => changes++);
    const first = model.refresh();
    assert.equal(model.refreshing, true);
    const second = model.refresh();
    await Promise.all([first, second]);
    assert.equal(model.refreshing, false);
    assert.equal(changes, 1);
    assert.equal(contents.reads.filter(p => p === 'runs').length, 2);
  });

  it('follows a new root', async () => {
    const contents = store();
    contents.files.set('elsewhere/z/config.json', configJson({ method: 'rotation' }));
    const model = new RunStoreModel(contents, 'runs');
    await model.refresh();
    model.setRoot('elsewhere/');
    assert.equal(model.root, 'elsewhere');
    assert.equal(model.runs.length, 0);
    await model.refresh();
    assert.deepEqual(
      model.runs.map(r => r.id),
      ['z']
    );
  });

  it("reads a run's metrics, and none for a run without metrics.jsonl", async () => {
    const contents = store();
    const model = new RunStoreModel(contents, 'runs');
    const metrics = await model.metrics('a-simclr');
    assert.equal(metrics.points.length, 30);
    assert.equal(metrics.points[0].loss, 3);
    assert.deepEqual(await model.metrics('b-byol'), { points: [], skipped: 0 });
    contents.failures.set('runs/c-simclr/metrics.jsonl', 500);
    await assert.rejects(
      model.metrics('c-simclr'),
      /metrics\.jsonl of run c-simclr could not be read/
    );
  });
});
