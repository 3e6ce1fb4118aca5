import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { session } from '../../../kernel/src/guide/session';
import { recordResult, startRecording, type SweepRecord } from '../../../kernel/src/sweep/recorder';
import { sweepReport, sweepRows } from '../../../kernel/src/sweep/report';
import {
  writeManifest,
  writeResult,
  type SweepManifest
} from '../../../kernel/src/sweep/sweep-store';
import { injectParams, params, resetParams } from '../../../kernel/src/util/params';

let dir: string;
const store = () => join(dir, 'runs');

/** A finished run folder as the training engine writes it. */
function writeRun(id: string, losses: number[], knn: number, finalLoss: number): void {
  const runDir = join(store(), id);
  mkdirSync(runDir, { recursive: true });
  writeFileSync(
    join(runDir, 'config.json'),
    JSON.stringify({ id, method: 'simclr', created: new Date().toISOString() })
  );
  writeFileSync(
    join(runDir, 'summary.json'),
    JSON.stringify({ status: 'done', finalLoss, steps: losses.length, epochs: 1, seconds: 1 })
  );
  writeFileSync(
    join(runDir, 'metrics.jsonl'),
    losses
      .map((loss, i) =>
        JSON.stringify({
          step: i + 1,
          epoch: 1,
          loss,
          lr: 1e-3,
          ...(i === losses.length - 1 ? { knn } : {})
        })
      )
      .join('\n') + '\n'
  );
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pretext-sweep-report-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.PRETEXT_SWEEP_RECORD;
  delete process.env.PRETEXT_RUNS;
  resetParams();
  session.reset();
});

test('the recorder links each trained run by its exact last loss, even beside a parallel run', () => {
  const record = join(dir, 'sweep', 'configs', 'c001', 'record.json');
  process.env.PRETEXT_SWEEP_RECORD = record;
  process.env.PRETEXT_RUNS = store();
  const P = params({ small: { temperature: 0.2 }, full: { temperature: 0.2 } });
  injectParams({ temperature: 0.1 });
  assert.equal(P.temperature, 0.1, 'the injected value reaches the object px.params returned');
  startRecording();
  // Another worker's run: same method and steps, another loss.
  writeRun('20261201-000000-simclr-aaaa', [2.5, 2.25], 0.5, 2.4);
  writeRun('20261201-000000-simclr-bbbb', [2.5, 2.125], 0.75, 2.3);
  session.recordRun({
    method: 'simclr',
    status: 'done',
    steps: 2,
    firstLoss: 2.5,
    lastLoss: 2.125,
    knnHistory: [0.75]
  });
  recordResult({ probe: 0.625, note: 'ok' });
  const saved = JSON.parse(readFileSync(record, 'utf8')) as SweepRecord;
  assert.equal(saved.runs[0].runId, '20261201-000000-simclr-bbbb');
  assert.deepEqual(saved.params, { temperature: 0.1, full: false });
  assert.deepEqual(saved.results, { probe: 0.625, note: 'ok' });
  assert.throws(() => recordResult({ bad: [1] as unknown as number }), /got object for 'bad'/);
});

test('report rows come from the linked runs; Markdown, HTML and the notebook view agree', async () => {
  const sweepDir = join(dir, 'sweeps', 'demo');
  const manifest: SweepManifest = {
    id: 'demo',
    notebook: '/x/nb.ipynb',
    created: new Date().toISOString(),
    kernel: 'pretext',
    spec: { grid: { temperature: [0.1, 0.5] } },
    configs: [
      { id: 'c001', params: { temperature: 0.1, epochs: 1 } },
      { id: 'c002', params: { temperature: 0.5, epochs: 1 } }
    ],
    runStore: store()
  };
  writeManifest(sweepDir, manifest);
  writeResult(sweepDir, {
    id: 'c001',
    params: manifest.configs[0].params,
    status: 'done',
    seconds: 12.5,
    notebook: 'configs/c001/nb.ipynb',
    finished: new Date().toISOString()
  });
  writeResult(sweepDir, {
    id: 'c002',
    params: manifest.configs[1].params,
    status: 'failed',
    seconds: 3,
    notebook: 'configs/c002/nb.ipynb',
    error: 'Error: this configuration is set to fail',
    finished: new Date().toISOString()
  });
  const record: SweepRecord = {
    params: null,
    runStore: store(),
    runs: [
      {
        runId: '20261201-000000-simclr-bbbb',
        method: 'simclr',
        status: 'done',
        steps: 2,
        lastLoss: 2.125,
        knn: 0.75
      }
    ],
    evaluations: [0.8],
    results: { probe: 0.625 },
    updated: ''
  };
  writeFileSync(join(sweepDir, 'configs', 'c001', 'record.json'), JSON.stringify(record));
  const rows = sweepRows(sweepDir, manifest);
  assert.equal(rows[0].finalLoss, 2.3);
  assert.equal(rows[0].knn, 0.75);
  assert.equal(rows[0].evaluation, 0.8);
  assert.deepEqual(rows[0].runIds, ['20261201-000000-simclr-bbbb']);
  assert.equal(rows[1].status, 'failed');
  assert.equal(rows[1].finalLoss, null);

  const report = await sweepReport('demo', { root: join(dir, 'sweeps'), display: false });
  const markdown = report.markdown();
  assert.match(
    markdown,
    /\| config \| temperature \| status \| final loss \| kNN \| best eval acc\. \| probe \| wall s \| runs \|/
  );
  assert.match(
    markdown,
    /\| c001 \| 0\.1 \| done \| 2\.3 \| 75\.0% \| 80\.0% \| 0\.625 \| 12\.5 \| 20261201-000000-simclr-bbbb \|/
  );
  assert.match(markdown, /\| c002 \| 0\.5 \| failed: Error: this configuration is set to fail \|/);
  const html = await report.html();
  assert.match(html, /<table>[\s\S]*<\/table>[\s\S]*<svg[\s\S]*<\/svg>/);
  assert.doesNotMatch(html.replace(/<script[\s\S]*?<\/script>/g, ''), /<script/);
  const bundle = report.toBundle();
  assert.match(bundle['text/plain'], /c001\s+0\.1\s+done\s+2\.3/);
  assert.equal((await report.chart().toBundle())['text/plain'].split('\n').length, 3);
  await assert.rejects(
    sweepReport('dem', { root: join(dir, 'sweeps'), display: false }),
    /nearest ids: demo/
  );
});

test('a run tracked on an MLflow server links its MLflow run id in the report', async () => {
  const sweepDir = join(dir, 'sweeps', 'tracked');
  const manifest: SweepManifest = {
    id: 'tracked',
    notebook: '/x/nb.ipynb',
    created: new Date().toISOString(),
    kernel: 'pretext',
    spec: { grid: { temperature: [0.1] } },
    configs: [{ id: 'c001', params: { temperature: 0.1 } }],
    runStore: store()
  };
  writeManifest(sweepDir, manifest);
  writeResult(sweepDir, {
    id: 'c001',
    params: manifest.configs[0].params,
    status: 'done',
    seconds: 2,
    notebook: 'configs/c001/nb.ipynb',
    finished: new Date().toISOString()
  });
  writeRun('20261201-000000-simclr-cccc', [2.5, 2.0], 0.5, 2.2);
  // What the MLflow callback keeps in the run folder (one entry per tracking server).
  writeFileSync(
    join(store(), '20261201-000000-simclr-cccc', 'tracking.json'),
    JSON.stringify({ servers: { 'http://127.0.0.1:5000': { mlflowRunId: 'f00d' } } })
  );
  const record: SweepRecord = {
    params: null,
    runStore: store(),
    runs: [
      {
        runId: '20261201-000000-simclr-cccc',
        method: 'simclr',
        status: 'done',
        steps: 2,
        lastLoss: 2.0,
        knn: 0.5
      }
    ],
    evaluations: [],
    results: {},
    updated: ''
  };
  writeFileSync(join(sweepDir, 'configs', 'c001', 'record.json'), JSON.stringify(record));
  assert.deepEqual(sweepRows(sweepDir, manifest)[0].tracking, ['f00d @ http://127.0.0.1:5000']);
  const markdown = (
    await sweepReport('tracked', { root: join(dir, 'sweeps'), display: false })
  ).markdown();
  assert.match(markdown, /\| runs \| MLflow runs \|/);
  assert.match(markdown, /\| 20261201-000000-simclr-cccc \| f00d @ http:\/\/127\.0\.0\.1:5000 \|/);
});
