import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadTokenizer, saveTokenizer } from '../../../../kernel/src/loaders/text/tokenizer-io';
import { trainTokenizer } from '../../../../kernel/src/text/tokenizer';
import { corpus } from '../../text/corpus';

test('tokenizers save and load as JSON with the same behaviour', () => {
  const tok = trainTokenizer(corpus, { vocabSize: 120, minFrequency: 1, maxLength: 12 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-tok-'));
  try {
    const file = saveTokenizer(tok, path.join(dir, 'tokenizer.json'));
    const back = loadTokenizer(file);
    assert.deepEqual(back.vocab, tok.vocab);
    assert.equal(back.maxLength, 12);
    assert.deepEqual(Array.from(back.encode(corpus[2])), Array.from(tok.encode(corpus[2])));
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"format": "other"}');
    assert.throws(() => loadTokenizer(path.join(dir, 'bad.json')), /not a saved Pretext WordPiece/);
    fs.writeFileSync(path.join(dir, 'broken.json'), '{');
    assert.throws(() => loadTokenizer(path.join(dir, 'broken.json')), /not valid JSON/);
    assert.throws(() => loadTokenizer(path.join(dir, 'missing.json')), /No tokenizer at/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
