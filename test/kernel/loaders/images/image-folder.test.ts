import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { tf } from '../../../../kernel/src/backend/tf';
import {
  imageFolderBatches,
  imageFolderSource,
  loadImageFolder
} from '../../../../kernel/src/loaders/images/image-folder';
import { readHeader, writeImageFolder } from '../../../../kernel/src/loaders/images/image-files';
import { convEncoder } from '../../../../kernel/src/models/conv-encoder';
import { maskedImage } from '../../../../kernel/src/tasks/masked-image';
import { train } from '../../../../kernel/src/train/train';

const roots: string[] = [];
after(() => roots.forEach(r => rmSync(r, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pretext-images-'));
  roots.push(dir);
  return dir;
}

/** A PNG whose every pixel is (r, g, b), written with pngjs itself. */
function png(width: number, height: number, [r, g, b]: number[], colorType: 0 | 2 | 6 = 2): Buffer {
  const image = new PNG({ width, height });
  for (let p = 0; p < width * height; p++) {
    image.data.set([r, g, b, 255], p * 4);
  }
  return PNG.sync.write(image, { colorType });
}
function jpg(width: number, height: number, [r, g, b]: number[]): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    data.set([r, g, b, 255], p * 4);
  }
  return jpeg.encode({ data, width, height }, 95).data;
}
function put(dir: string, rel: string, bytes: Buffer | string): void {
  const path = join(dir, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
}

test('a clean folder of grey PNGs loads as [N, H, W, 1] in [0, 1], sorted, unlabeled', () => {
  const dir = tempDir();
  put(dir, 'b.png', png(6, 4, [255, 255, 255], 0));
  put(dir, 'a.png', png(6, 4, [51, 51, 51], 0));
  put(dir, 'sub/c.png', png(6, 4, [0, 0, 0], 0));
  const data = loadImageFolder(dir);
  assert.deepEqual(data.inputs.shape, [3, 4, 6, 1]);
  assert.deepEqual(data.files, ['a.png', 'b.png', join('sub', 'c.png')]);
  const v = data.inputs.arraySync();
  assert.ok(Math.abs(v[0][0][0][0] - 0.2) < 1e-3);
  assert.equal(v[1][3][5][0], 1);
  assert.equal(data.labels, undefined);
  assert.ok(data.report.ok, data.report.summary());
  data.inputs.dispose();
});

test('RGB and grayscale: channels follow the files, or convert on request (reported)', () => {
  const dir = tempDir();
  put(dir, 'red.png', png(4, 4, [255, 0, 0]));
  put(dir, 'grey.jpg', jpg(4, 4, [128, 128, 128]));
  const rgb = loadImageFolder(dir);
  assert.deepEqual(rgb.inputs.shape, [2, 4, 4, 3]);
  const red = rgb.inputs.arraySync()[1][0][0];
  assert.deepEqual(red, [1, 0, 0]);
  const grey = loadImageFolder(dir, { channels: 1 });
  assert.deepEqual(grey.inputs.shape, [2, 4, 4, 1]);
  // BT.601 luma of pure red.
  assert.ok(Math.abs(grey.inputs.arraySync()[1][0][0][0] - 0.299) < 1e-3);
  assert.equal(grey.report.count('converted'), 1);
  assert.match(grey.report.summary(), /colour image converted to grayscale \(red\.png\)/);
  tf.dispose([rgb.inputs, grey.inputs]);
});

test('mixed sizes: most common size by default, others resized or skipped, always reported', () => {
  const dir = tempDir();
  put(dir, 'a.png', png(8, 8, [10, 10, 10], 0));
  put(dir, 'b.png', png(8, 8, [10, 10, 10], 0));
  put(dir, 'big.png', png(16, 12, [200, 200, 200], 0));
  const resized = loadImageFolder(dir);
  assert.deepEqual(resized.inputs.shape, [3, 8, 8, 1]);
  assert.match(resized.report.summary(), /size 12x16 resized to 8x8 \(big\.png\)/);
  assert.ok(Math.abs(resized.inputs.arraySync()[2][4][4][0] - 200 / 255) < 1e-3);
  const skipped = loadImageFolder(dir, { mixedSizes: 'skip' });
  assert.deepEqual(skipped.inputs.shape, [2, 8, 8, 1]);
  assert.equal(skipped.report.count('skipped'), 1);
  const forced = loadImageFolder(dir, { size: [4, 5] });
  assert.deepEqual(forced.inputs.shape, [3, 4, 5, 1]);
  assert.equal(forced.report.count('converted'), 3);
  tf.dispose([resized.inputs, skipped.inputs, forced.inputs]);
});

test('labels come from subfolders only when asked; stray files are reported', () => {
  const dir = tempDir();
  put(dir, 'cats/1.png', png(4, 4, [0, 0, 0], 0));
  put(dir, 'cats/2.png', png(4, 4, [0, 0, 0], 0));
  put(dir, 'dogs/1.png', png(4, 4, [255, 255, 255], 0));
  put(dir, 'stray.png', png(4, 4, [0, 0, 0], 0));
  const data = loadImageFolder(dir, { labels: 'subfolders' });
  assert.deepEqual(data.classNames, ['cats', 'dogs']);
  assert.deepEqual(Array.from(data.labels!), [0, 0, 1]);
  assert.match(data.report.summary(), /not inside a class subfolder \(stray\.png\)/);
  const plain = loadImageFolder(dir);
  assert.equal(plain.labels, undefined);
  assert.equal(plain.inputs.shape[0], 4);
  tf.dispose([data.inputs, plain.inputs]);
  const flat = tempDir();
  put(flat, 'a.png', png(4, 4, [0, 0, 0], 0));
  assert.throws(() => loadImageFolder(flat, { labels: 'subfolders' }), /has no subfolders/);
});

test('zero-byte, non-image, corrupt and unsupported files are skipped and reported', () => {
  const dir = tempDir();
  put(dir, 'good.png', png(4, 4, [100, 100, 100], 0));
  put(dir, 'good2.jpg', jpg(4, 4, [100, 100, 100]));
  put(dir, 'empty.png', Buffer.alloc(0));
  put(dir, 'notes.txt', 'hello');
  put(dir, 'fake.jpg', 'not really a jpeg');
  put(dir, 'anim.gif', 'GIF89a....');
  // A real PNG cut in half: the header reads, the pixels do not.
  put(dir, 'truncated.png', png(32, 32, [1, 2, 3]).subarray(0, 60));
  const jpegBytes = jpg(32, 32, [9, 9, 9]);
  put(dir, 'truncated.jpg', jpegBytes.subarray(0, Math.floor(jpegBytes.length * 0.6)));
  put(dir, '.DS_Store', 'ignored');
  const data = loadImageFolder(dir, { size: [4, 4], channels: 1 });
  assert.deepEqual(data.files, ['good.png', 'good2.jpg']);
  const summary = data.report.summary();
  assert.equal(data.report.count('skipped'), 6, summary);
  assert.match(summary, /empty file \(0 bytes\) \(empty\.png\)/);
  assert.match(summary, /not a PNG or JPEG image \(notes\.txt\)/);
  assert.match(summary, /named \.jpg but not a PNG or JPEG image inside \(fake\.jpg\)/);
  assert.match(summary, /GIF is not supported/);
  assert.match(summary, /damaged PNG data .*truncated\.png/);
  assert.match(summary, /damaged JPEG data .*truncated\.jpg/);
  assert.doesNotMatch(summary, /DS_Store/);
  assert.equal(data.report.total, 8);
  data.inputs.dispose();
});

test('an empty or missing folder, or one with nothing usable, is a clear error naming the path', () => {
  const empty = tempDir();
  assert.throws(() => loadImageFolder(empty), new RegExp(`folder '${empty}' is empty`));
  assert.throws(() => loadImageFolder(join(empty, 'nope')), /does not exist/);
  put(empty, 'a.txt', 'x');
  assert.throws(
    () => loadImageFolder(empty),
    /nothing usable was loaded.*not a PNG or JPEG image \(a\.txt\)/s
  );
  assert.throws(() => loadImageFolder(empty, { channels: 2 as never }), /channels must be 1/);
  assert.throws(() => loadImageFolder(empty, { size: [0, 4] }), /size must be/);
  assert.throws(() => loadImageFolder(empty, { labels: 'folders' as never }), /labels must be/);
  assert.throws(() => loadImageFolder(empty, { resize: true } as never), /Unknown option/);
});

test('streaming batches: same pixels as the in-memory loader, reports decode problems once', async () => {
  const dir = tempDir();
  for (let i = 0; i < 7; i++) {
    put(dir, `k${i % 2}/img${i}.png`, png(5, 3, [i * 30, i * 30, i * 30], 0));
  }
  put(dir, 'k0/broken.png', png(5, 3, [0, 0, 0]).subarray(0, 50));
  const whole = loadImageFolder(dir, { labels: 'subfolders' });
  const stream = imageFolderBatches(dir, { batchSize: 3, labels: 'subfolders' });
  assert.equal(stream.candidates, 8);
  assert.deepEqual(stream.size, [3, 5]);
  const seen: number[] = [];
  const labels: number[] = [];
  const sizes: number[] = [];
  for (let epoch = 0; epoch < 2; epoch++) {
    for await (const batch of stream) {
      if (epoch === 0) {
        seen.push(...batch.inputs.dataSync());
        labels.push(...batch.labels!);
        sizes.push(batch.inputs.shape[0]);
      }
      batch.inputs.dispose();
    }
  }
  assert.deepEqual(sizes, [2, 3, 2], 'the broken file leaves one batch short');
  assert.deepEqual(seen, Array.from(whole.inputs.dataSync()));
  assert.deepEqual(labels, Array.from(whole.labels!));
  assert.equal(stream.report.count('skipped'), 1, stream.report.summary());
  const shuffled = imageFolderBatches(dir, { batchSize: 8, shuffle: true, seed: 3 });
  const files: string[] = [];
  for await (const batch of shuffled) {
    files.push(...batch.files);
    batch.inputs.dispose();
  }
  assert.notDeepEqual(files, whole.files);
  assert.deepEqual([...files].sort(), [...whole.files].sort());
  whole.inputs.dispose();
  assert.throws(() => imageFolderBatches(dir, { batchSize: 0 }), /batchSize must be a positive/);
  assert.throws(
    () => imageFolderBatches(dir, undefined as never),
    /needs options with a batchSize/
  );
});

test('writeImageFolder round-trips a labelled dataset through PNG files', () => {
  const dir = tempDir();
  const inputs = tf.tensor4d([0, 0.5, 1, 0.25, 0.75, 1, 0, 0], [2, 2, 2, 1]);
  const paths = writeImageFolder(dir, {
    inputs,
    labels: Int32Array.from([1, 0]),
    classNames: ['a', 'b']
  });
  assert.deepEqual(paths, [join(dir, 'b', 'img0.png'), join(dir, 'a', 'img1.png')]);
  const back = loadImageFolder(dir, { labels: 'subfolders' });
  assert.deepEqual(Array.from(back.labels!), [0, 1]);
  const expected = [0.75, 1, 0, 0, 0, 0.5, 1, 0.25];
  back.inputs.dataSync().forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1 / 255 + 1e-6));
  assert.equal(readHeader(png(3, 2, [0, 0, 0], 0)).gray, true);
  assert.deepEqual(readHeader(jpg(7, 5, [1, 2, 3])), {
    format: 'jpeg',
    width: 7,
    height: 5,
    gray: false
  });
  assert.throws(
    () => writeImageFolder(dir, { inputs: tf.zeros([2, 2]) as never }),
    /expected images/
  );
  assert.throws(
    () => writeImageFolder(dir, { inputs }, { format: 'gif' as never }),
    /format must be/
  );
  tf.dispose([inputs, back.inputs]);
});

test('a folder as a training source: verified up front, decoded per batch, trainable', async () => {
  const dir = tempDir();
  for (let i = 0; i < 6; i++) {
    put(dir, `img${i}.png`, png(4, 4, [i * 40, i * 40, i * 40], 0));
  }
  put(dir, 'bad.png', png(4, 4, [0, 0, 0]).subarray(0, 40));
  const source = imageFolderSource(dir);
  assert.equal(source.size, 6);
  assert.deepEqual(source.exampleShape, [4, 4, 1]);
  assert.equal(source.labeled, false);
  assert.equal(source.report.count('skipped'), 1);
  const batch = await source.read(Int32Array.from([5, 0]));
  assert.deepEqual(batch.shape, [2, 4, 4, 1]);
  const v = batch.dataSync();
  assert.ok(Math.abs(v[0] - 200 / 255) < 1e-3 && v[16] === 0);
  batch.dispose();
  const encoder = convEncoder({ inputShape: [4, 4, 1], filters: [4], seed: 0 });
  const task = maskedImage({ encoder, patchSize: 2 });
  const result = await train(task, source, {
    epochs: 2,
    batchSize: 3,
    display: false,
    runStore: false
  });
  assert.equal(result.history.length, 4);
  assert.ok(result.history.every(p => Number.isFinite(p.loss)));
  task.dispose();
  encoder.dispose();
  put(dir, 'img0.png', 'overwritten');
  await assert.rejects(
    async () => source.read(Int32Array.from([0])),
    /could not be decoded any more/
  );
});
