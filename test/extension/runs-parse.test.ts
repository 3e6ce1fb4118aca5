// Unit tests for reading the kernel's run store files (src/runs/parse.ts, describe.ts).
// Run: node --import tsx --test test/extension/runs-parse.test.ts
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import { latestMetrics, runMeta, summaryRows } from '../../src/runs/describe';
import {
  IRunRecord,
  KNOWN_STATUSES,
  STALE_HEARTBEAT_MS,
  parseMetrics,
  parseRun,
  runLabel,
  sortRuns
} from '../../src/runs/parse';
import {
  configJson,
  legacySummaryJson,
  loadKernelRunFixtures,
  runningSummaryJson,
  summaryJson
} from './run-fixtures';

// The kernel's own summary.json of the fixture run (kernel-run.ts), to check what was read.
let written: { finalLoss: number; seconds: number };

before(async () => {
  written = JSON.parse((await loadKernelRunFixtures()).summary);
});

function asRun(entry: ReturnType<typeof parseRun>): IRunRecord {
  assert.equal(entry.kind, 'run', entry.kind === 'unreadable' ? entry.reason : '');
  return entry as IRunRecord;
}

describe('parseRun', () => {
  it("reads the kernel's own files as they are, with nothing to note", async () => {
    const files = await loadKernelRunFixtures();
    const run = asRun(parseRun(files.id, files.config, files.summary));
    assert.equal(run.status, 'done');
    assert.equal(run.method, 'simclr');
    assert.equal(run.steps, 24);
    assert.deepEqual(run.notes, []);
    const live = asRun(parseRun(files.id, files.config, files.runningSummary));
    assert.equal(live.status, 'running');
    assert.deepEqual(live.notes, []);
    const metrics = parseMetrics(files.metrics);
    assert.equal(metrics.skipped, 0);
    assert.deepEqual(
      metrics.points.map(p => p.step),
      Array.from({ length: 24 }, (_, i) => i + 1)
    );
    assert.ok(metrics.points.every(p => p.loss !== null && p.values.lr === 0.001));
  });

  it('reads a finished run', () => {
    const run = asRun(parseRun('r1', configJson({ name: 'baseline' }), summaryJson()));
    assert.equal(run.id, 'r1');
    assert.equal(run.name, 'baseline');
    assert.equal(run.method, 'simclr');
    assert.equal(run.dataset, 'mnist');
    assert.equal(run.status, 'done');
    assert.equal(run.finalLoss, written.finalLoss);
    assert.ok(run.finalLoss! > 0);
    assert.equal(run.steps, 24);
    assert.equal(run.epochs, 3);
    assert.equal(run.seconds, written.seconds);
    assert.deepEqual(run.notes, []);
    assert.deepEqual((run.config.options as Record<string, unknown>).batchSize, 128);
  });

  it("shows a 'running' run whose heartbeat stopped long ago as interrupted, with the resume hint", () => {
    const now = Date.parse('2026-12-01T12:00:00.000Z');
    const ago = (ms: number) => new Date(now - ms).toISOString();
    // The kernel's running summary, as it would read at step 16.
    const midRun = { steps: 16, epochs: 2, finalLoss: 1.5 };
    const live = asRun(parseRun('r9', configJson(), runningSummaryJson(ago(5000), midRun), now));
    assert.equal(live.status, 'running');
    assert.deepEqual(live.notes, []);
    const dead = asRun(
      parseRun(
        'r9',
        configJson(),
        runningSummaryJson(ago(STALE_HEARTBEAT_MS + 60_000), midRun),
        now
      )
    );
    assert.equal(dead.status, 'interrupted');
    assert.equal(dead.steps, 16);
    assert.match(dead.message!, /stopped 11 minutes ago[\s\S]*resume: 'r9'/);
    assert.match(dead.notes[0], /says running, but its heartbeat is 11 minutes old/);
    assert.equal(runMeta(dead), 'simclr · mnist · interrupted · loss 1.5 · 16 steps');
    assert.deepEqual(summaryRows(dead).at(-1), ['message', dead.message]);
    // Older kernels wrote no heartbeat: nothing to judge by, so the stored status stands.
    const legacy = parseRun('r9', configJson(), legacySummaryJson({ status: 'running' }), now);
    assert.equal(asRun(legacy).status, 'running');
    // A store reader that already wrote 'interrupted' is taken at its word.
    const stored = parseRun('r9', configJson(), summaryJson({ status: 'interrupted' }), now);
    assert.equal(asRun(stored).status, 'interrupted');
    assert.ok((KNOWN_STATUSES as readonly string[]).includes('interrupted'));
  });

  it('uses the folder name as the id, not config.id', () => {
    assert.equal(asRun(parseRun('copied', configJson(), null)).id, 'copied');
  });

  it('shows a run without summary.json (just created) as unknown, with a note', () => {
    const run = asRun(parseRun('r2', configJson(), null));
    assert.equal(run.status, 'unknown');
    assert.equal(run.finalLoss, null);
    assert.equal(run.steps, null);
    assert.match(run.notes[0], /no summary\.json yet/);
  });

  it('keeps a run whose summary is cut short, saying why', () => {
    const run = asRun(parseRun('r3', configJson(), '{"status": "runn'));
    assert.equal(run.status, 'unknown');
    assert.match(run.notes[0], /summary\.json is not valid JSON/);
    assert.match(asRun(parseRun('r3', configJson(), '[1]')).notes[0], /not a JSON object/);
  });

  it('reads a failed run with a NaN loss (stored as null) and its message', () => {
    const run = asRun(
      parseRun(
        'r4',
        configJson(),
        summaryJson({ status: 'failed', finalLoss: null, message: 'loss became NaN' })
      )
    );
    assert.equal(run.status, 'failed');
    assert.equal(run.finalLoss, null);
    assert.equal(run.message, 'loss became NaN');
  });

  it('marks runs without a readable config as unreadable, with the reason', () => {
    const cases: Array<[string | null, RegExp]> = [
      [null, /no config\.json/],
      ['', /config\.json is not valid JSON/],
      ['{"method": "sim', /config\.json is not valid JSON/],
      ['"text"', /not a JSON object/],
      ['[]', /not a JSON object/],
      [JSON.stringify({ created: 'x' }), /no 'method'/],
      [JSON.stringify({ method: 42 }), /no 'method'/]
    ];
    for (const [text, reason] of cases) {
      const entry = parseRun('bad', text, summaryJson());
      assert.equal(entry.kind, 'unreadable', String(text));
      assert.match((entry as { reason: string }).reason, reason);
    }
  });

  it('tolerates wrong field types without throwing', () => {
    const run = asRun(
      parseRun(
        'odd',
        configJson({ name: 7, dataset: 'mnist', created: 5 }),
        summaryJson({ status: 3, finalLoss: 'low', steps: '24', seconds: Infinity })
      )
    );
    assert.equal(run.name, undefined);
    assert.equal(run.dataset, '');
    assert.equal(run.created, '');
    assert.equal(run.status, 'unknown');
    assert.equal(run.finalLoss, null);
    assert.equal(run.steps, null);
    assert.equal(run.seconds, null);
  });

  it('keeps hostile strings as plain data', () => {
    const hostile = '<img src=x onerror="alert(1)">';
    const run = asRun(
      parseRun(
        hostile,
        configJson({ name: hostile, method: hostile, dataset: { name: hostile } }),
        summaryJson({ status: hostile, message: hostile })
      )
    );
    assert.equal(run.name, hostile);
    assert.equal(run.method, hostile);
    assert.equal(run.dataset, hostile);
    assert.equal(run.status, hostile);
    assert.equal(runLabel(run), `${hostile} (${hostile})`);
    assert.ok(runMeta(run).includes(hostile));
  });

  it('does not let a __proto__ key in config.json change objects', () => {
    const run = asRun(parseRun('p', '{"method":"simclr","__proto__":{"polluted":true}}', null));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(run.method, 'simclr');
  });
});

describe('parseMetrics', () => {
  it('reads metrics.jsonl lines, keeping every numeric field', () => {
    const text =
      '{"step":1,"epoch":0,"loss":2.5,"lr":0.001}\n{"step":2,"epoch":0,"loss":2.1,"lr":0.001,"knn":0.5}\n';
    const { points, skipped } = parseMetrics(text);
    assert.equal(skipped, 0);
    assert.deepEqual(
      points.map(p => [p.step, p.epoch, p.loss]),
      [
        [1, 0, 2.5],
        [2, 0, 2.1]
      ]
    );
    assert.deepEqual(points[1].values, { step: 2, epoch: 0, loss: 2.1, lr: 0.001, knn: 0.5 });
  });

  it('counts a line cut short by a crash and lines that are not records', () => {
    const text =
      '{"step":1,"loss":2}\n\n{"step":2,"lo\n[1,2]\n{"loss":1}\n{"step":"3"}\n{"step":4,"loss":1.5}';
    const { points, skipped } = parseMetrics(text);
    assert.deepEqual(
      points.map(p => p.step),
      [1, 4]
    );
    assert.equal(skipped, 4);
  });

  it('keeps a step whose loss was NaN (null) as a gap', () => {
    const { points } = parseMetrics('{"step":1,"epoch":0,"loss":null,"lr":0.1}');
    assert.equal(points[0].loss, null);
    assert.equal(points[0].epoch, 0);
    assert.deepEqual(points[0].values, { step: 1, epoch: 0, lr: 0.1 });
  });

  it('reads an empty file as no points', () => {
    assert.deepEqual(parseMetrics(''), { points: [], skipped: 0 });
  });
});

describe('sortRuns', () => {
  it('puts the newest first and unreadable runs last', () => {
    const old = parseRun('a', configJson({ created: '2026-01-01T00:00:00Z' }), null);
    const recent = parseRun('b', configJson({ created: '2026-06-01T00:00:00Z' }), null);
    const broken = parseRun('c', null, null);
    assert.deepEqual(
      sortRuns([broken, old, recent]).map(r => r.id),
      ['b', 'a', 'c']
    );
  });

  it('orders runs created in the same second by id', () => {
    const x = parseRun('x', configJson(), null);
    const y = parseRun('y', configJson(), null);
    assert.deepEqual(
      sortRuns([x, y]).map(r => r.id),
      ['y', 'x']
    );
  });
});

describe('describe', () => {
  it('summarises a run in one line', () => {
    const run = parseRun('r', configJson(), summaryJson({ steps: 1200, finalLoss: 0.81234 }));
    assert.equal(runMeta(run), 'simclr · mnist · done · loss 0.8123 · 1,200 steps');
    assert.equal(
      runMeta(parseRun('r', configJson({ dataset: null }), null)),
      'simclr · dataset ? · unknown'
    );
    assert.equal(
      runMeta(parseRun('r', null, null)),
      'unreadable: no config.json (the run folder is incomplete, or not a Pretext run)'
    );
  });

  it('lists summary rows, with the message only when there is one', () => {
    const rows = summaryRows(asRun(parseRun('r', configJson(), summaryJson({ seconds: 12.4 }))));
    assert.deepEqual(
      rows.find(([k]) => k === 'time'),
      ['time', '12s']
    );
    assert.equal(
      rows.some(([k]) => k === 'message'),
      false
    );
    const failed = summaryRows(asRun(parseRun('r', configJson(), summaryJson({ message: 'NaN' }))));
    assert.deepEqual(failed.at(-1), ['message', 'NaN']);
  });

  it('gives the latest value of every metric', () => {
    const metrics = parseMetrics('{"step":1,"loss":2,"knn":0.4}\n{"step":2,"loss":1.5}');
    assert.deepEqual(latestMetrics(metrics), [
      ['step', '2'],
      ['loss', '1.5'],
      ['knn', '0.4']
    ]);
  });
});
