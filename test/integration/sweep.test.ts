/**
 * `pretext sweep` end to end on this machine: bad input is refused before anything runs; a
 * 3-configuration sweep of a tiny training notebook is interrupted with Ctrl-C (SIGINT) after
 * its first configuration, resumed, and its report's numbers match the runs it links.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readNotebook } from './notebook';
import { PRETEXT_BIN, writeNotebook, writeTrainingNotebook } from './sweep-fixture';

let dir: string;
let notebook: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pretext-sweep-'));
  notebook = writeTrainingNotebook(dir);
  writeFileSync(join(dir, 'grid.yaml'), 'grid:\n  temperature: [0.2, 0.5, 1.0]\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', PRETEXT_RUNS: '', PRETEXT_SWEEPS: '' };

function pretext(args: string[]) {
  return spawnSync(process.execPath, [PRETEXT_BIN, ...args], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 600_000
  });
}

test('bad input is a clear error before anything runs', () => {
  const cases: [string[], RegExp][] = [
    [['sweep', notebook, '-p', 'temprature=0.1'], /'temprature'[\s\S]*Did you mean 'temperature'/],
    [['sweep', notebook, '-p', 'temperature=warm'], /'temperature' to "warm" \(string\)/],
    [['sweep', notebook, '-p', 'temperature='], /Cannot read the parameter flag/],
    [['sweep', notebook], /The sweep is empty/],
    [
      ['sweep', notebook, '-p', 'temperature=0.1', '--kernel', 'nosuch'],
      /no Jupyter kernel named 'nosuch'/
    ],
    [
      ['sweep', join(dir, 'untagged.ipynb'), '-p', 'temperature=0.1'],
      /no cell tagged 'parameters'/
    ],
    [['sweep', notebook, '--grid', join(dir, 'missing.yaml')], /Cannot read the grid file/]
  ];
  writeNotebook(dir, 'untagged.ipynb', [
    { source: 'const P = px.params({ small: {}, full: {} });' }
  ]);
  for (const [args, message] of cases) {
    const result = pretext(args);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
    assert.match(result.stderr, message);
    assert.match(result.stderr, /Fix: /);
  }
  assert.ok(!existsSync(join(dir, 'sweeps')), 'nothing ran');
});

test('a 3-configuration sweep: Ctrl-C stops it, --resume finishes it, the report matches the runs', async () => {
  // Interrupt once the first configuration has finished.
  const child = spawn(
    process.execPath,
    [PRETEXT_BIN, 'sweep', notebook, '--grid', 'grid.yaml', '--id', 's1'],
    {
      cwd: dir,
      env
    }
  );
  let output = '';
  child.stdout.on('data', chunk => {
    output += String(chunk);
    if (/\[1\/3\] c001/.test(output) && !child.killed) {
      child.kill('SIGINT');
    }
  });
  child.stderr.on('data', chunk => (output += String(chunk)));
  const code = await new Promise<number | null>(resolve => child.on('exit', resolve));
  assert.equal(code, 130, output);
  assert.match(output, /stopped: 1 of 3 done\. Resume with --resume --id s1/);
  const sweepDir = join(dir, 'sweeps', 's1');
  const status = (id: string) =>
    existsSync(join(sweepDir, 'configs', id, 'result.json'))
      ? (
          JSON.parse(readFileSync(join(sweepDir, 'configs', id, 'result.json'), 'utf8')) as {
            status: string;
          }
        ).status
      : 'none';
  assert.equal(status('c001'), 'done');
  assert.notEqual(status('c002'), 'done');
  assert.notEqual(status('c003'), 'done');

  // A changed grid cannot resume.
  const changed = pretext([
    'sweep',
    notebook,
    '-p',
    'temperature=0.3,0.5,1',
    '--resume',
    '--id',
    's1'
  ]);
  assert.equal(changed.status, 2);
  assert.match(changed.stderr, /The grid changed since sweep s1 started: c001 was/);

  const resumed = pretext(['sweep', notebook, '--grid', 'grid.yaml', '--resume']);
  assert.equal(resumed.status, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /1 already done \(resumed\)/);
  assert.match(resumed.stdout, /\[2\/3\] c00[23] temperature=/);
  assert.match(resumed.stdout, /\[3\/3\] c00[23] temperature=/);
  assert.doesNotMatch(resumed.stdout, /c001 temperature/);

  // The report's numbers are the linked runs' own.
  const report = JSON.parse(readFileSync(join(sweepDir, 'report.json'), 'utf8')) as {
    rows: {
      config: string;
      params: { temperature: number };
      status: string;
      runIds: string[];
      finalLoss: number;
      knn: number;
      results: { probe: number };
      notebook: string;
    }[];
  };
  assert.deepEqual(
    report.rows.map(r => [r.config, r.params.temperature, r.status]),
    [
      ['c001', 0.2, 'done'],
      ['c002', 0.5, 'done'],
      ['c003', 1, 'done']
    ]
  );
  const runIds = new Set<string>();
  for (const row of report.rows) {
    assert.equal(row.runIds.length, 1, `${row.config} trained one run`);
    const runDir = join(dir, 'runs', row.runIds[0]);
    runIds.add(row.runIds[0]);
    const summary = JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as {
      finalLoss: number;
      status: string;
    };
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as {
      task: { temperature?: number };
    };
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(line => JSON.parse(line) as { knn?: number });
    assert.equal(summary.status, 'done');
    assert.equal(row.finalLoss, summary.finalLoss);
    assert.equal(row.knn, metrics.at(-1)?.knn);
    assert.equal(
      config.task.temperature,
      row.params.temperature,
      'the run trained with its config'
    );
    assert.ok(row.results.probe >= 0 && row.results.probe <= 1);
    const executed = readNotebook(join(sweepDir, row.notebook));
    assert.ok(executed.cells.some(c => JSON.stringify(c.source).includes('injectParams')));
  }
  assert.equal(runIds.size, 3, 'each configuration links its own run');
  const markdown = readFileSync(join(sweepDir, 'report.md'), 'utf8');
  assert.match(markdown, /\| c003 \| 1 \| done \|/);
  const html = readFileSync(join(sweepDir, 'report.html'), 'utf8');
  assert.match(html, /<svg[\s\S]*<\/svg>/);
  assert.match(html, /"facet"/);
});
