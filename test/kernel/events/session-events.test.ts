import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { session, type SessionEvent } from '../../../kernel/src/events/session-events';
import { session as guideLog } from '../../../kernel/src/guide/session';

beforeEach(() => session.reset());

test('events reach subscribers in order and stay in the history for late readers', () => {
  const seen: SessionEvent['kind'][] = [];
  const stop = session.subscribe(event => seen.push(event.kind));
  session.recordDataset({ name: 'pool', size: 10, labeled: false });
  session.recordTask('simclr');
  stop();
  session.recordEvaluation({ models: ['simclr'], bestAccuracy: 0.5 });
  assert.deepEqual(seen, ['dataset', 'task']);
  assert.deepEqual(
    session.events().map(e => e.kind),
    ['dataset', 'task', 'evaluation']
  );
  // The guide, subscribing late, folds the whole history.
  const log = guideLog.snapshot();
  assert.deepEqual(log.tasks, ['simclr']);
  assert.equal(log.evaluations[0].bestAccuracy, 0.5);
});

test('the backend check is published once; events are copies, not the caller’s objects', () => {
  session.recordBackendCheck();
  session.recordBackendCheck();
  assert.equal(session.events().length, 1);
  const run = { method: 'byol', status: 'done', steps: 3, firstLoss: 2, lastLoss: 1 };
  session.recordRun(run);
  run.status = 'changed later';
  assert.equal(guideLog.snapshot().runs[0].status, 'done');
});
