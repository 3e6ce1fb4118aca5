import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadSpamAssassin } from '../../../kernel/src/datasets/spam-assassin';
import { PretextError } from '../../../kernel/src/util/errors';

test('loadSpamAssassin: real ham and spam texts without routing headers, balanced by perClass', () => {
  const corpus = loadSpamAssassin({ perClass: 30, seed: 2 });
  assert.equal(corpus.texts.length, 60);
  assert.deepEqual(corpus.classNames, ['ham', 'spam']);
  const spam = Array.from(corpus.labels).filter(l => l === 1).length;
  assert.equal(spam, 30);
  corpus.groups.forEach((g, i) => assert.equal(corpus.labels[i], g.startsWith('spam') ? 1 : 0));
  assert.ok(
    new Set(corpus.groups).size >= 3,
    `several groups drawn: ${[...new Set(corpus.groups)]}`
  );
  for (const text of corpus.texts) {
    assert.ok(/[a-z]/i.test(text));
    assert.ok(!/^(Received|Return-Path|Message-Id|X-[\w-]+):/im.test(text), text.slice(0, 300));
  }
  assert.equal(corpus.report.count('skipped') + corpus.texts.length, corpus.report.total);
  assert.ok(corpus.sources.every(s => /^(easy-ham|hard-ham|spam)-\d\//.test(s)));
});

test('loadSpamAssassin is seeded; limit, groups and maxChars apply', () => {
  const a = loadSpamAssassin({ limit: 20, seed: 5 });
  const b = loadSpamAssassin({ limit: 20, seed: 5 });
  const c = loadSpamAssassin({ limit: 20, seed: 6 });
  assert.deepEqual(a.sources, b.sources);
  assert.notDeepEqual(a.sources, c.sources);
  assert.equal(a.texts.length, 20);
  const hard = loadSpamAssassin({ groups: ['hard-ham-1', 'spam-1'], perClass: 10, maxChars: 200 });
  assert.ok(hard.groups.every(g => g === 'hard-ham-1' || g === 'spam-1'));
  assert.ok(hard.texts.every(t => t.length <= 200));
});

test('loadSpamAssassin rejects bad options with a fix', () => {
  assert.throws(
    () => loadSpamAssassin({ perClass: 1 }),
    /perClass must be an integer of at least 2/
  );
  assert.throws(() => loadSpamAssassin({ groups: ['spam-3' as never] }), /unknown groups/);
  assert.throws(() => loadSpamAssassin({ groups: ['spam-1'], limit: 5 }), /hold only spam/);
  assert.throws(() => loadSpamAssassin({ perclass: 5 } as never), PretextError);
});
