import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { adviceFor } from '../../../kernel/src/guide/advice';
import { Guide, guide, guideSteps } from '../../../kernel/src/guide/guide';
import { session, type SessionLog } from '../../../kernel/src/guide/session';
import { setDisplaySink } from '../../../kernel/src/render/display';
import { MIME } from '../../../kernel/src/render/mime';

const empty = (): SessionLog => ({
  datasets: [],
  tasks: [],
  runs: [],
  evaluations: [],
  backendChecked: false
});
const run = (method: string, extra = {}) => ({
  method,
  status: 'done',
  steps: 100,
  firstLoss: 5,
  lastLoss: 3,
  ...extra
});

beforeEach(() => session.reset());

test('a fresh session has no step done and no advice', () => {
  const log = empty();
  assert.ok(guideSteps(log).every(s => !s.done));
  assert.deepEqual(adviceFor(log), []);
});

test('steps follow what the session did', () => {
  const log = empty();
  log.datasets.push(
    { name: 'pool', size: 8000, labeled: false },
    { name: 'test', size: 2000, labeled: true }
  );
  log.tasks.push('simclr');
  log.runs.push(run('simclr'));
  const done = Object.fromEntries(guideSteps(log).map(s => [s.id, s.done]));
  assert.deepEqual(done, {
    objective: true,
    task: true,
    data: true,
    backend: true,
    train: true,
    evaluate: false,
    iterate: false
  });
  log.evaluations.push({ models: ['simclr'], bestAccuracy: 0.91 });
  log.runs.push(run('byol'));
  const steps = guideSteps(log);
  assert.ok(steps.every(s => s.done));
  assert.match(steps.find(s => s.id === 'evaluate')!.detail, /91\.0%/);
});

test('advice: no evaluation yet, only one task, too few unlabeled examples', () => {
  const log = empty();
  log.datasets.push({ name: 'pool', size: 300, labeled: false });
  log.runs.push(run('simclr'));
  const texts = adviceFor(log).map(a => a.text);
  assert.ok(texts.some(t => /Only 300 unlabeled examples/.test(t)));
  assert.ok(texts.some(t => /No downstream evaluation yet/.test(t)));
  assert.ok(texts.some(t => /Only one pretext task tried \(simclr\)/.test(t)));
  log.evaluations.push({ models: ['simclr'], bestAccuracy: 0.8 });
  log.runs.push(run('moco'));
  log.datasets.push({ name: 'more', size: 5000, labeled: false });
  assert.deepEqual(adviceFor(log), []);
});

test('advice: collapse, stalled kNN while the loss falls, failed run', () => {
  const log = empty();
  log.runs.push(
    run('simclr', { rankRatio: 0.03 }),
    run('byol', { knnHistory: [0.5, 0.8, 0.801, 0.802] }),
    run('moco', { status: 'failed' })
  );
  log.evaluations.push({ models: ['x'], bestAccuracy: 0.5 });
  const texts = adviceFor(log).map(a => a.text);
  assert.ok(texts.some(t => /simclr run are collapsing \(effective rank 3%/.test(t)));
  assert.ok(
    texts.some(t => /byol loss keeps falling but kNN accuracy has stalled at 80\.2%/.test(t))
  );
  assert.ok(texts.some(t => /moco run failed/.test(t)));
  // A kNN curve still climbing is not flagged.
  const climbing = empty();
  climbing.runs.push(run('byol', { knnHistory: [0.5, 0.6, 0.7, 0.8] }), run('simclr'));
  climbing.evaluations.push({ models: ['x'], bestAccuracy: 0.5 });
  assert.deepEqual(adviceFor(climbing), []);
});

test('the guide bundle has the JSON checklist, escaped HTML and text', () => {
  session.recordDataset({ name: '<script>x</script>', size: 10, labeled: false });
  const bundle = new Guide().toBundle();
  const json = bundle[MIME.guide] as { steps: { done: boolean }[]; advice: unknown[] };
  assert.equal(json.steps.length, 7);
  assert.equal(json.steps.filter(s => s.done).length, 1);
  assert.ok(!(bundle['text/html'] as string).includes('<script>'));
  assert.match(bundle['text/plain'], /^Pretext guide: 1 of 7 steps done/);
  assert.match(bundle['text/plain'], /\[x\] 3\. Prepare the data — Unlabeled pool: 10 examples\./);
});

test('guide() shows once and then updates the same display as the session changes', () => {
  const sent: { id: string; update: boolean; text: string }[] = [];
  setDisplaySink((bundle, id, update) => sent.push({ id, update, text: bundle['text/plain'] }));
  try {
    guide();
    session.recordTask('simclr');
    session.recordBackendCheck();
    session.recordBackendCheck(); // a repeat changes nothing, so no update
    assert.deepEqual(
      sent.map(s => s.update),
      [false, true, true]
    );
    assert.equal(new Set(sent.map(s => s.id)).size, 1);
    assert.match(sent[0].text, /0 of 7 steps done/);
    assert.match(sent[2].text, /2 of 7 steps done/);
  } finally {
    setDisplaySink(null);
  }
});

test('advice: an evaluation that found collapsed embeddings is flagged', () => {
  const log = empty();
  log.runs.push(run('simclr'), run('byol'));
  log.evaluations.push({ models: ['a', 'b'], bestAccuracy: 0.7, collapsing: ['b'] });
  const texts = adviceFor(log).map(a => a.text);
  assert.equal(texts.length, 1);
  assert.match(texts[0], /embeddings of 'b' are collapsing/);
});
