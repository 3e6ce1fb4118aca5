// Unit tests for the tracking server's runs in the runs browser: the server extension's reply
// read defensively (src/runs/tracking-reply.ts), MLflow runs mapped onto the protocol's run
// shapes (src/runs/mlflow.ts), merged with local runs, a tracked local run listed once
// (src/runs/merge.ts), filtered and compared with local runs.
// Run: node --import tsx --test test/extension/runs-mlflow.test.ts
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';

import {
  RUN_CONFIG_SCHEMA,
  RUN_SUMMARY_SCHEMA,
  buildCompareSpec,
  compareLayout,
  isKnownStatus
} from 'pretext/protocol';
import { latestMetrics, summaryRows } from '../../src/runs/describe';
import { filterChoices, filterRuns } from '../../src/runs/filter';
import { mergeRuns } from '../../src/runs/merge';
import {
  extensionMissingState,
  mlflowRunToRecord,
  protocolStatus,
  runSource,
  sourceLabel,
  sourceTitle,
  trackingState
} from '../../src/runs/mlflow';
import {
  type IRunRecord,
  type RunEntry,
  parseMetrics,
  parseRun,
  runLabel
} from '../../src/runs/parse';
import {
  type ITrackingRunRow,
  historyToMetrics,
  parseTrackingReply
} from '../../src/runs/tracking-reply';
import { schemaProblems } from '../../src/validate';
import { configJson, loadKernelRunFixtures, metricsJsonl, summaryJson } from './run-fixtures';

const HOST = '127.0.0.1:5000';
const LOCAL_TRACKED = '20261201-100000-simclr-aaaa';
const LOCAL_ONLY = '20261201-090000-byol-bbbb';
const COPY = 'a'.repeat(32);
const OLD_COPY = 'b'.repeat(32);
const REMOTE = 'c'.repeat(32);

function row(overrides: Partial<ITrackingRunRow>): ITrackingRunRow {
  return {
    id: REMOTE,
    name: 'colleague run',
    experiment: 'handoff',
    method: 'vicreg',
    dataset: 'mnist',
    localRunId: '20261130-080000-vicreg-cccc',
    status: 'FINISHED',
    created: Date.parse('2026-12-01T11:00:00.000Z'),
    ended: Date.parse('2026-12-01T11:02:00.000Z'),
    finalLoss: 0.25,
    steps: 120,
    metrics: { loss: 0.25, lr: 0.001 },
    ...overrides
  };
}

let local: RunEntry[] = [];

before(async () => {
  await loadKernelRunFixtures();
  local = [
    parseRun(
      LOCAL_TRACKED,
      configJson({ id: LOCAL_TRACKED, method: 'simclr', created: '2026-12-01T10:00:00.000Z' }),
      summaryJson({ status: 'done', steps: 40 })
    ),
    parseRun(
      LOCAL_ONLY,
      configJson({ id: LOCAL_ONLY, method: 'byol', created: '2026-12-01T09:00:00.000Z' }),
      summaryJson({ status: 'done' })
    ),
    parseRun('20261201-080000-broken', '{"method": ', null)
  ];
});

describe('parseTrackingReply', () => {
  it('keeps valid runs, drops rows without an MLflow id and nulls odd values', () => {
    const reply = parseTrackingReply({
      trackingUri: 'http://127.0.0.1:5000',
      host: HOST,
      uriSource: 'settings',
      available: true,
      problem: null,
      runs: [
        { ...row({}), finalLoss: 'NaN', steps: null, metrics: { loss: 'x', lr: 0.1 } },
        { ...row({}), id: '../../etc' },
        'not a run'
      ]
    });
    assert.equal(reply.available, true);
    assert.equal(reply.uriSource, 'settings');
    assert.equal(reply.runs.length, 1);
    assert.equal(reply.runs[0].finalLoss, null);
    assert.deepEqual(reply.runs[0].metrics, { lr: 0.1 });
  });

  it('turns an unreadable reply into a problem, not an exception', () => {
    for (const value of [null, 'html', [1, 2]]) {
      const reply = parseTrackingReply(value);
      assert.equal(reply.available, false);
      assert.match(reply.problem ?? '', /cannot read/);
      assert.deepEqual(reply.runs, []);
    }
  });
});

describe('mlflowRunToRecord', () => {
  it("maps MLflow's statuses onto the protocol's", () => {
    assert.equal(protocolStatus('FINISHED'), 'done');
    assert.equal(protocolStatus('KILLED'), 'stopped');
    assert.equal(protocolStatus('FAILED'), 'failed');
    assert.equal(protocolStatus('RUNNING'), 'running');
    for (const status of ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']) {
      assert.ok(isKnownStatus(protocolStatus(status)), status);
    }
    assert.equal(protocolStatus('PAUSED'), 'paused');
    assert.equal(protocolStatus(null), 'unknown');
  });

  it("gives a run record whose config and summary follow the run files' schemas", () => {
    const record = mlflowRunToRecord(row({}), HOST);
    assert.equal(record.kind, 'run');
    assert.equal(record.id, REMOTE);
    assert.equal(record.method, 'vicreg');
    assert.equal(record.dataset, 'mnist');
    assert.equal(record.status, 'done');
    assert.equal(record.created, '2026-12-01T11:00:00.000Z');
    assert.equal(record.seconds, 120);
    assert.equal(record.steps, 120);
    assert.equal(record.finalLoss, 0.25);
    assert.deepEqual(record.tracked, {
      host: HOST,
      mlflowRunId: REMOTE,
      experiment: 'handoff',
      local: false
    });
    assert.deepEqual(schemaProblems(RUN_CONFIG_SCHEMA, record.config), []);
    assert.deepEqual(schemaProblems(RUN_SUMMARY_SCHEMA, record.summary), []);
    assert.deepEqual(record.notes, []);
    assert.equal(runLabel(record), `colleague run (${REMOTE})`);
    const rows = new Map(summaryRows(record));
    assert.equal(rows.get('source'), `MLflow · ${HOST}`);
    assert.equal(rows.get('MLflow run'), REMOTE);
  });

  it("lists a run that is not Pretext's with a note, and one that has not ended", () => {
    const record = mlflowRunToRecord(
      row({ method: null, dataset: null, status: 'RUNNING', ended: null, name: null }),
      HOST
    );
    assert.equal(record.method, 'unknown');
    assert.equal(record.status, 'running');
    assert.equal(record.seconds, null);
    assert.equal(record.name, undefined);
    assert.match(record.notes[0], /not a Pretext run/);
    assert.deepEqual(schemaProblems(RUN_SUMMARY_SCHEMA, record.summary), []);
  });
});

describe('mergeRuns', () => {
  it('lists a tracked local run once, as both; server-only runs as MLflow; newest first', () => {
    const merged = mergeRuns(
      local,
      [
        row({ id: COPY, localRunId: LOCAL_TRACKED, method: 'simclr', created: 2 }),
        row({ id: OLD_COPY, localRunId: LOCAL_TRACKED, method: 'simclr', created: 1 }),
        row({})
      ],
      HOST
    );
    assert.deepEqual(
      merged.map(run => [run.id, runSource(run)]),
      [
        [REMOTE, 'mlflow'],
        [LOCAL_TRACKED, 'both'],
        [LOCAL_ONLY, 'local'],
        // An older second copy on the server stays a row of its own (created 1 ms after 1970).
        [OLD_COPY, 'mlflow'],
        ['20261201-080000-broken', 'local']
      ]
    );
    const both = merged[1] as IRunRecord;
    // The local files say more than the server: the local record is kept, with its copy.
    assert.equal(both.steps, 40);
    assert.deepEqual(both.tracked, {
      host: HOST,
      mlflowRunId: COPY,
      experiment: 'handoff',
      local: true
    });
    assert.equal(sourceLabel(both), `local + MLflow · ${HOST}`);
    assert.equal(sourceLabel(merged[2]), 'local');
    assert.equal(sourceLabel(merged[0]), `MLflow · ${HOST}`);
    // The inputs are not changed.
    assert.equal((local[0] as IRunRecord).tracked, undefined);
  });

  it("says in the source badge's tooltip which MLflow run a row is", () => {
    const merged = mergeRuns(
      local,
      [row({ id: COPY, localRunId: LOCAL_TRACKED, method: 'simclr' }), row({})],
      HOST
    );
    const byId = new Map(merged.map(run => [run.id, run]));
    assert.equal(
      sourceTitle(byId.get(LOCAL_TRACKED)!),
      `MLflow run ${COPY} in experiment handoff on ${HOST}, also in the local run store`
    );
    assert.equal(
      sourceTitle(byId.get(REMOTE)!),
      `MLflow run ${REMOTE} in experiment handoff on ${HOST}`
    );
    assert.equal(sourceTitle(byId.get(LOCAL_ONLY)!), 'In the local run store');
  });

  it('feeds the same filters as local runs', () => {
    const merged = mergeRuns(local, [row({})], HOST);
    assert.deepEqual(filterChoices(merged).method, ['byol', 'simclr', 'vicreg']);
    assert.deepEqual(
      filterRuns(merged, { method: 'vicreg' }).map(run => run.id),
      [REMOTE]
    );
    assert.deepEqual(
      filterRuns(merged, { status: 'done' }).map(run => run.id),
      [REMOTE, LOCAL_TRACKED, LOCAL_ONLY]
    );
  });
});

describe('comparing a local run with an MLflow run', () => {
  it('reads the loss history and draws both curves in one spec', () => {
    const history = historyToMetrics({
      runId: REMOTE,
      key: 'loss',
      history: [
        { step: 2, value: 0.5 },
        { step: 1, value: 0.9 },
        { step: 3, value: 'NaN' },
        { value: 1 }
      ]
    });
    assert.deepEqual(
      history.points.map(p => [p.step, p.loss]),
      [
        [1, 0.9],
        [2, 0.5],
        [3, null]
      ]
    );
    assert.equal(history.skipped, 1);
    assert.deepEqual(latestMetrics(history), [['loss', '0.5']]);

    const remote = mlflowRunToRecord(row({}), HOST);
    const mine = local[0] as IRunRecord;
    const curves = [
      { label: runLabel(mine), method: mine.method, points: parseMetrics(metricsJsonl(20)).points },
      { label: runLabel(remote), method: remote.method, points: history.points }
    ];
    assert.equal(compareLayout(curves), 'panels');
    const spec = buildCompareSpec(curves) as {
      datasets: { curves: Array<{ run: string; step: number }> };
    };
    const runs = new Set(spec.datasets.curves.map(point => point.run));
    assert.deepEqual([...runs], [runLabel(mine), runLabel(remote)]);
    assert.equal(spec.datasets.curves.filter(p => p.run === runLabel(remote)).length, 2);
  });
});

describe('trackingState', () => {
  const reply = (overrides: object) =>
    parseTrackingReply({
      trackingUri: 'http://127.0.0.1:5000',
      host: HOST,
      uriSource: 'settings',
      available: true,
      problem: null,
      runs: [row({})],
      ...overrides
    });

  it('names the server and where its URI came from', () => {
    assert.deepEqual(trackingState(reply({})), {
      available: true,
      line: `MLflow at ${HOST} (from settings): 1 run`
    });
    assert.equal(
      trackingState(reply({ uriSource: 'MLFLOW_TRACKING_URI', runs: [] })).line,
      `MLflow at ${HOST} (from MLFLOW_TRACKING_URI): 0 runs`
    );
  });

  it('says in one line why the server runs are missing', () => {
    const down = trackingState(
      reply({
        available: false,
        runs: [],
        problem: `Cannot reach the tracking server http://${HOST} (Connection refused).`
      })
    );
    assert.equal(down.available, false);
    assert.equal(
      down.line,
      `No MLflow runs at ${HOST} (from settings): Cannot reach the tracking server http://${HOST} (Connection refused).`
    );
    const none = trackingState(
      reply({
        available: false,
        runs: [],
        host: null,
        trackingUri: null,
        uriSource: null,
        problem: 'no tracking server is configured (set Tracking URI in Settings > Pretext).'
      })
    );
    assert.equal(
      none.line,
      'No MLflow runs: no tracking server is configured (set Tracking URI in Settings > Pretext).'
    );
    assert.match(extensionMissingState(404, 'Not Found').line, /server extension is not enabled/);
    assert.match(extensionMissingState(500, 'boom').line, /failed \(boom\)/);
  });
});
