/**
 * Fault cases: bad values in a DataSource that reads from disk. Its first batches are checked
 * as training reads them (no second pass over the files), with the messages in-memory data
 * gets: which examples or files, and the fix. The bad batch never trains; the run's record says
 * 'failed' with the same message, the other runs are untouched, no temp files are left.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { tf } from '../../kernel/src/backend/tf';
import type { DataSource } from '../../kernel/src/data/source';
import { openRunStore } from '../../kernel/src/runs/store';
import { train } from '../../kernel/src/train/train';
import { fakeTask } from '../kernel/train/fake-task';
import { expectClearError } from './expect';
import { hashTree } from './hash';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-faults-sources-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const store = path.join(root, 'runs');
const options = { display: false, runStore: store, batchSize: 4, epochs: 2, seed: 3 } as const;

/** 16 examples of 4x4x1 as a CSV file, one row each; `poison` edits the row values. */
function csvFile(name: string, poison: (rows: string[][]) => void = () => undefined): string {
  const rows = Array.from({ length: 16 }, (_, r) =>
    Array.from({ length: 16 }, (_, c) => String((((r * 16 + c) * 37) % 100) / 100))
  );
  poison(rows);
  const file = path.join(root, name);
  fs.writeFileSync(file, rows.map(r => r.join(',')).join('\n') + '\n');
  return file;
}

/** A source that reads the rows it is asked for from the CSV file, on demand. */
function csvSource(file: string): DataSource {
  return {
    name: path.basename(file),
    size: 16,
    exampleShape: [4, 4, 1],
    dtype: 'float32',
    labeled: false,
    read: async positions => {
      const lines = (await fs.promises.readFile(file, 'utf8')).trim().split('\n');
      const values = Array.from(positions, p => lines[p].split(',').map(Number)).flat();
      return tf.tensor4d(values, [positions.length, 4, 4, 1]);
    }
  };
}

/** 16 images, one raw float32 file each, listed by position as imageFolderSource lists them. */
function rawImageSource(name: string, scale: number, nanIn: number[] = []) {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  const files = Array.from({ length: 16 }, (_, i) => `img-${i}.f32`);
  files.forEach((f, i) => {
    const pixels = Float32Array.from({ length: 16 }, (_, j) => (((i * 16 + j) % 10) / 10) * scale);
    if (nanIn.includes(i)) {
      pixels[5] = NaN;
    }
    fs.writeFileSync(path.join(dir, f), Buffer.from(pixels.buffer));
  });
  const source: DataSource & { files: string[] } = {
    name,
    size: 16,
    exampleShape: [4, 4, 1],
    dtype: 'float32',
    labeled: false,
    files,
    read: positions => {
      const data = new Float32Array(positions.length * 16);
      positions.forEach((p, i) => {
        const bytes = fs.readFileSync(path.join(dir, files[p]));
        data.set(new Float32Array(bytes.buffer, bytes.byteOffset, 16), i * 16);
      });
      return tf.tensor4d(data, [positions.length, 4, 4, 1]);
    }
  };
  return source;
}

/** A finished run in the store, so each case can show it stays byte-for-byte the same. */
let earlier = '';
test.before(async () => {
  const done = await train(fakeTask(), csvSource(csvFile('clean.csv')), options);
  assert.equal(done.status, 'done');
  earlier = path.join(store, done.runId!);
});

/** The run a case just failed: its record must say so, with the error's own problem. */
function lastRunFailedWith(problem: string): void {
  const run = openRunStore(store).list().at(-1)!;
  assert.equal(run.status, 'failed');
  const summary = openRunStore(store).get(run.id).summary!;
  assert.ok(summary.message?.includes(problem.slice(0, 60)), summary.message);
  const temps = fs
    .readdirSync(store, { recursive: true, encoding: 'utf8' })
    .filter(f => /\.tmp/.test(f));
  assert.deepEqual(temps, []);
}

test('a CSV source with a NaN cell: the example is named as the loop reads it, before its step', async () => {
  const file = csvFile('nan.csv', rows => {
    rows[9][3] = 'NaN';
  });
  const task = fakeTask();
  const before = tf.memory().numTensors;
  const error = await expectClearError(() => train(task, csvSource(file), options), {
    problem:
      /Source 'nan\.csv' holds NaN or infinite values in 1 of the first \d+ examples read \(examples 9\); training on them ends in a NaN loss/,
    fix: /Impute or drop those examples in the source's read\(\)/,
    unchanged: [earlier]
  });
  assert.equal(tf.memory().numTensors, before, 'the bad batch is disposed');
  lastRunFailedWith(error.problem);
  // The bad batch never trained: the steps recorded stop before it.
  const run = openRunStore(store).list().at(-1)!;
  assert.ok(run.steps < 8, `${run.steps} steps`);
});

test('an image source whose files hold NaN: the files are named', async () => {
  const source = rawImageSource('nan-images', 1, [2, 11]);
  const error = await expectClearError(() => train(fakeTask(), source, options), {
    problem:
      /Source 'nan-images' holds NaN or infinite values in 1 of the first \d+ examples read \(files img-(2|11)\.f32\)/,
    fix: /or repair or remove those files/,
    unchanged: [earlier]
  });
  lastRunFailedWith(error.problem);
});

test('an image source that yields 0..255 pixels: found in its first batch, fix in its read()', async () => {
  const source = rawImageSource('bytes', 255);
  const error = await expectClearError(() => train(fakeTask(), source, options), {
    problem:
      /Images in 'bytes' hold values up to 230 \(in the first 4 examples read\).*\(these look like 0\.\.255 pixels\)/,
    fix: /Divide the pixels by 255 in the source's read\(\)/,
    unchanged: [earlier]
  });
  lastRunFailedWith(error.problem);
  assert.equal(openRunStore(store).list().at(-1)!.steps, 0, 'not one step on saturated views');
});

test('a clean source trains as before: only its first reads are scanned', async () => {
  const before = hashTree(earlier);
  const result = await train(fakeTask(), csvSource(csvFile('clean-again.csv')), options);
  assert.equal(result.status, 'done');
  assert.equal(result.history.length, 8);
  assert.equal(hashTree(earlier), before);
});
