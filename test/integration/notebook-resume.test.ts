/**
 * The most common notebook workflow, through a real `pretext` kernel: build cells, train with
 * a run store, press stop (a Jupyter interrupt) mid-run, re-run the build cells in the same
 * kernel (tfjs renames every variable: 'conv1/kernel_1'), then resume: it continues the run.
 * loadCheckpoint into a third rebuild works too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCells, type SessionCell } from './kernel-session';

const workdir = mkdtempSync(join(tmpdir(), 'pretext-resume-'));
after(() => rmSync(workdir, { recursive: true, force: true }));

const setup = `import * as px from 'pretext';
const data = { name: 'random 8x8', inputs: px.tf.randomUniform([32, 8, 8, 1], 0, 1, 'float32', 4) as px.Tensor4D };`;
// Exactly what a notebook's build cell holds, shorthand included.
const build = `const augment = px.simclrAugment();
const encoder = px.convEncoder({ inputShape: [8, 8, 1], filters: [8, 8], seed: 1 });
const task = px.simclr({ encoder, augment, projectionDim: 8, hiddenDim: 8, seed: 2 });
console.log('variables', task.trainableVariables().map(v => v.name).join(' '));`;
const options = `{ epochs: 400, batchSize: 8, seed: 3, runStore: 'runs', display: true }`;

test('interrupt, re-run the build cells, resume: the run continues', () => {
  const cells: SessionCell[] = [
    { source: setup },
    { source: build },
    { source: `const first = await px.train(task, data, ${options});`, interruptAtStep: 6 },
    // The stop button ends the cell; training stops at the next step boundary and checkpoints.
    { source: `await new Promise(r => setTimeout(r, 1000));` },
    { source: build },
    {
      source: `const resumed = await px.train(task, data, { ...${options}, epochs: 6, resume: 'latest' });
console.log('resumed', resumed.status, resumed.history.length, resumed.runId);`
    },
    { source: build },
    {
      source: `const loaded = px.loadCheckpoint(task, 'latest', 'runs');
console.log('loaded', loaded.step);`
    }
  ];
  const results = runCells(cells, workdir);
  results.forEach((r, i) => {
    if (i !== 2) {
      assert.equal(
        r.status,
        'ok',
        `cell ${i + 1}: ${JSON.stringify(r.error)} ${r.stderr}${r.stdout}`
      );
    }
  });
  const [firstBuild, , training, , secondBuild, resume, , load] = [
    results[1],
    null,
    results[2],
    null,
    results[4],
    results[5],
    null,
    results[7]
  ];
  assert.ok(training.interrupted, 'the interrupt was sent mid-run');
  assert.match(firstBuild.stdout, /conv1\/kernel /);
  assert.match(secondBuild.stdout, /conv1\/kernel_1 /, 'the rebuild renamed the variables');
  const runs = readdirSync(join(workdir, 'runs')).filter(n => !n.startsWith('.'));
  assert.equal(runs.length, 1, `one run: ${runs.join(', ')}`);
  const summary = JSON.parse(readFileSync(join(workdir, 'runs', runs[0], 'summary.json'), 'utf8'));
  const config = JSON.parse(readFileSync(join(workdir, 'runs', runs[0], 'config.json'), 'utf8'));
  const fromStep = config.resumes?.[0]?.fromStep as number;
  assert.ok(fromStep >= 6 && fromStep < 24, `checkpointed at the interrupt, step ${fromStep}`);
  assert.match(resume.stdout, new RegExp(`resumed done 24 ${runs[0]}`));
  assert.equal(summary.status, 'done');
  assert.equal(summary.steps, 24);
  assert.match(load.stdout, /loaded 24/);
});
