import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadJsonl, loadTextFolder } from '../../../../kernel/src/loaders/text/text-files';
import { PretextError } from '../../../../kernel/src/util/errors';

function folder(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-text-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

test('loadTextFolder reads .txt files; classes only from subfolders when asked; bad files reported', () => {
  const dir = folder({
    'ham/a.txt': 'See you at lunch.',
    'ham/b.txt': '   \n',
    'spam/c.txt': 'WIN money now',
    'spam/d.txt': Buffer.from([0x63, 0x61, 0x66, 0xe9]), // 'café' in Latin-1: not UTF-8
    'spam/notes.md': 'ignored: wrong extension',
    'top.txt': 'a file outside the class folders'
  });
  try {
    const plain = loadTextFolder(dir);
    assert.equal(plain.labels, undefined);
    assert.deepEqual(plain.sources, ['ham/a.txt', 'spam/c.txt', 'spam/d.txt', 'top.txt']);
    const labeled = loadTextFolder(dir, { labelsFromFolders: true, name: 'mail' });
    assert.equal(labeled.name, 'mail');
    assert.deepEqual(labeled.classNames, ['ham', 'spam']);
    assert.deepEqual(Array.from(labeled.labels!), [0, 1, 1]);
    assert.equal(labeled.texts[2], 'café');
    const issues = labeled.report.issues.map(i => `${i.source}|${i.action}`).sort();
    assert.deepEqual(issues, ['ham/b.txt|skipped', 'spam/d.txt|converted', 'top.txt|skipped']);
    assert.equal(labeled.report.total, 5);
    assert.match(labeled.report.summary(), /empty/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('loadTextFolder: one class, empty folders and missing folders are clear errors', () => {
  const one = folder({ 'ham/a.txt': 'hello', 'ham/b.txt': 'there' });
  const empty = folder({ 'a.txt': '' });
  try {
    assert.throws(
      () => loadTextFolder(one, { labelsFromFolders: true }),
      /only one class \('ham'\)/
    );
    assert.throws(() => loadTextFolder(empty), /nothing usable was loaded.*empty/s);
    assert.throws(() => loadTextFolder(path.join(one, 'nope')), /is not a folder/);
    assert.throws(() => loadTextFolder(one, { label: true } as never), PretextError);
  } finally {
    fs.rmSync(one, { recursive: true, force: true });
    fs.rmSync(empty, { recursive: true, force: true });
  }
});

test('loadJsonl: text and label fields; broken lines, empty texts and missing labels skipped and reported', () => {
  const dir = folder({
    'mail.jsonl': [
      '{"body": "cheap pills", "kind": "spam"}',
      '{"body": "lunch at noon?", "kind": "ham"}',
      '{"body": "broken',
      '',
      '{"body": "   ", "kind": "ham"}',
      '{"body": 42, "kind": "ham"}',
      '{"body": "no label here"}',
      '["not", "an", "object"]',
      '{"body": "meeting moved", "kind": "ham"}'
    ].join('\n')
  });
  const file = path.join(dir, 'mail.jsonl');
  try {
    const data = loadJsonl(file, { textField: 'body', labelField: 'kind' });
    assert.equal(data.name, 'mail');
    assert.deepEqual(data.texts, ['cheap pills', 'lunch at noon?', 'meeting moved']);
    assert.deepEqual(data.classNames, ['ham', 'spam']);
    assert.deepEqual(Array.from(data.labels!), [1, 0, 0]);
    assert.deepEqual(data.sources, ['line 1', 'line 2', 'line 9']);
    assert.equal(data.report.total, 8);
    assert.deepEqual(
      data.report.issues.map(i => i.source),
      ['line 3', 'line 5', 'line 6', 'line 7', 'line 8']
    );
    const unlabeled = loadJsonl(file, { textField: 'body' });
    assert.equal(unlabeled.labels, undefined);
    assert.equal(unlabeled.texts.length, 4);
    assert.throws(() => loadJsonl(file, { textField: 'text' }), /nothing usable.*no 'text' field/s);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('loadJsonl: a label field with one class is rejected; a missing file is a clear error', () => {
  const dir = folder({ 'one.jsonl': '{"text": "a", "y": 1}\n{"text": "b", "y": 1}\n' });
  try {
    assert.throws(
      () => loadJsonl(path.join(dir, 'one.jsonl'), { labelField: 'y' }),
      /only one class \('1'\)/
    );
    assert.throws(() => loadJsonl(path.join(dir, 'missing.jsonl')), /is not a file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
