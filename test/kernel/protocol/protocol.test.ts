// The protocol module (kernel/src/protocol): what the kernel writes satisfies its JSON
// Schemas (validated with ajv, as the extension does), and the shared helpers behave.
// Run: node --import tsx --test test/kernel/protocol/protocol.test.ts
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv';
import { tf } from '../../../kernel/src/backend/tf';
import {
  CHART_SCHEMA,
  CHECKPOINT_MANIFEST_SCHEMA,
  DASHBOARD_SCHEMA,
  METRIC_RECORD_SCHEMA,
  MIME,
  PAYLOAD_SCHEMAS,
  PROTOCOL_VERSION,
  RUN_CONFIG_SCHEMA,
  RUN_FILE_SCHEMAS,
  RUN_SUMMARY_SCHEMA,
  TABLE_SCHEMA,
  buildCompareSpec,
  formatDuration,
  pretextMimeType,
  versionOf,
  type CheckpointManifest as ProtocolManifest,
  type JsonSchema
} from '../../../kernel/src/protocol';
import { Chart } from '../../../kernel/src/render/chart';
import { TrainingDashboard } from '../../../kernel/src/render/dashboard';
import { lossCurveSpec } from '../../../kernel/src/render/specs';
import { Table } from '../../../kernel/src/render/table';
import type { CheckpointManifest as WrittenManifest } from '../../../kernel/src/runs/checkpoint';
import { schemaProblems } from '../../../src/validate';
import { kernelRunFiles } from '../../extension/kernel-run';

function assertValid(schema: JsonSchema, value: unknown, what: string): void {
  assert.deepEqual(schemaProblems(schema, value), [], `${what}: ${JSON.stringify(value)}`);
}

test('every schema compiles under ajv strict mode', () => {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true });
  ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
  for (const schema of [...Object.values(PAYLOAD_SCHEMAS), ...Object.values(RUN_FILE_SCHEMAS)]) {
    assert.doesNotThrow(() => ajv.compile(schema), String(schema.title));
  }
});

test("the kernel's MIME payloads satisfy their schemas and carry the protocol version", async () => {
  const before = tf.memory().numTensors;
  const table = new Table(
    [{ name: 'task' }, { name: 'acc', label: 'kNN', format: 'percent' }],
    [
      { task: 'simclr', acc: 0.9 },
      { task: 'untrained', acc: null }
    ],
    'Evaluation'
  ).toBundle();
  const chart = await new Chart(
    lossCurveSpec([
      { step: 1, epoch: 0, loss: 2 },
      { step: 2, epoch: 0, loss: 1 }
    ]),
    'a line',
    'A chart'
  ).toBundle();
  const dashboard = await TrainingDashboard.finalBundle({
    title: 'SimCLR',
    status: 'done',
    step: 4,
    totalSteps: 4,
    epoch: 1,
    totalEpochs: 1,
    elapsedSec: 125,
    samplesPerSec: 100,
    metrics: { loss: 1.5 },
    history: [
      { step: 1, epoch: 0, loss: 2 },
      { step: 4, epoch: 0, loss: 1.5 }
    ],
    budgetSec: 300
  });
  for (const [bundle, mime, schema] of [
    [table, MIME.table, TABLE_SCHEMA],
    [chart, MIME.chart, CHART_SCHEMA],
    [dashboard, MIME.dashboard, DASHBOARD_SCHEMA]
  ] as const) {
    const payload = bundle[mime];
    assertValid(schema, payload, mime);
    assert.equal(versionOf(payload), PROTOCOL_VERSION);
  }
  // One duration format in both halves: the text fallback uses the protocol's.
  assert.match(dashboard['text/plain'], /· 2m05s · budget 5m00s/);
  assert.equal(tf.memory().numTensors, before);
});

test("the kernel's run files satisfy their schemas", async () => {
  const files = await kernelRunFiles();
  assertValid(RUN_CONFIG_SCHEMA, JSON.parse(files.config), 'config.json');
  assertValid(RUN_SUMMARY_SCHEMA, JSON.parse(files.summary), 'summary.json');
  const running = JSON.parse(files.runningSummary);
  assertValid(RUN_SUMMARY_SCHEMA, running, 'summary.json while running');
  assert.equal(running.status, 'running');
  assert.equal(running.pid, process.pid);
  assert.equal(typeof running.heartbeat, 'string');
  const lines = files.metrics.split('\n').filter(line => line !== '');
  assert.equal(lines.length, 24);
  for (const line of lines) {
    assertValid(METRIC_RECORD_SCHEMA, JSON.parse(line), 'metrics line');
  }
  assert.ok(files.manifest, 'the run wrote no checkpoint');
  assertValid(CHECKPOINT_MANIFEST_SCHEMA, JSON.parse(files.manifest), 'manifest.json');
  assert.ok(fs.existsSync(path.join(files.dir, 'config.json')));
});

test('the checkpoint manifest checkpoint.ts writes is the one the protocol describes', () => {
  // Compile-time: each type is assignable to the other (tsc fails this file otherwise).
  const sameShape = (m: WrittenManifest): ProtocolManifest => m;
  const back = (m: ProtocolManifest): WrittenManifest => m;
  assert.equal(typeof sameShape, 'function');
  assert.equal(typeof back, 'function');
});

test('schemas reject what a reader cannot use, naming the field', () => {
  assert.deepEqual(schemaProblems(DASHBOARD_SCHEMA, { status: 'done', progress: { step: 1 } }), [
    "'progress.totalSteps' must be a finite number"
  ]);
  assert.match(schemaProblems(RUN_CONFIG_SCHEMA, { method: '' })[0], /no 'method'/);
  assert.match(schemaProblems(METRIC_RECORD_SCHEMA, { loss: 1 })[0], /'step' must be a finite/);
  assert.match(
    schemaProblems(CHECKPOINT_MANIFEST_SCHEMA, { format: 'other' }).join('\n'),
    /format/
  );
});

test('versions: a payload without one is version 0; malformed ones read as 0', () => {
  assert.equal(versionOf({ spec: {} }), 0);
  assert.equal(versionOf({ version: 1 }), 1);
  assert.equal(versionOf({ version: '1' }), 0);
  assert.equal(versionOf(null), 0);
});

test('MIME types and durations are defined once', () => {
  assert.equal(MIME.dashboard, 'application/vnd.pretext.dashboard+json');
  assert.equal(pretextMimeType('embedding'), 'application/vnd.pretext.embedding+json');
  assert.deepEqual(
    [5, 125, 3720, -1, null].map(s => formatDuration(s)),
    ['5s', '2m05s', '1h02m', '—', '—']
  );
});

test('the run comparison overlays one method and gives each run a panel across methods', () => {
  const points = [
    { step: 1, loss: 2 },
    { step: 2, loss: null },
    { step: 3, loss: 1 }
  ];
  const overlay = buildCompareSpec([
    { label: 'a', method: 'simclr', points },
    { label: 'b', method: 'simclr', points }
  ]);
  assert.equal((overlay.datasets as { curves: unknown[] }).curves.length, 4);
  assert.equal(overlay.facet, undefined);
  const panels = buildCompareSpec([
    { label: 'a', method: 'simclr', points },
    { label: 'b', method: 'mae', points }
  ]);
  assert.deepEqual(panels.resolve, { scale: { y: 'independent' } });
  assert.throws(() => buildCompareSpec([{ label: 'a', method: 'x', points: [] }]), /No loss/);
});
