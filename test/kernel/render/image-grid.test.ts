import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import { withSpec } from '../../../kernel/src/augment/augment';
import { augmentationGrid, imageGrid } from '../../../kernel/src/render/image-grid';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

function pngSize(png: Uint8Array): [number, number] {
  const view = new DataView(png.buffer, png.byteOffset);
  return [view.getUint32(16), view.getUint32(20)];
}

test('imageGrid lays tiles out as one PNG of the expected size', async () => {
  const tiles = tf.ones([6, 4, 5, 1]) as Tensor4D;
  const grid = await imageGrid(tiles, 2, 3, 'six tiles', { scale: 2, gap: 1 });
  assert.deepEqual(Array.from(grid.png.slice(0, 4)), PNG_SIGNATURE);
  // Each tile: (4*2 + 2) x (5*2 + 2); 2 rows, 3 cols.
  assert.deepEqual(pngSize(grid.png), [3 * 12, 2 * 10]);
  const bundle = grid.toBundle();
  assert.equal(Buffer.from(bundle['image/png'] as string, 'base64').length, grid.png.length);
  assert.equal(bundle['text/plain'], 'six tiles');
  await assert.rejects(imageGrid(tiles, 2, 2, 'x'), /got 6 images for a 2x2 grid/);
  tiles.dispose();
});

test('augmentationGrid shows originals then views, seeded, without leaking tensors', async () => {
  const images = tf.randomUniform([10, 6, 6, 1], 0, 1, 'float32', 1) as Tensor4D;
  const invert = withSpec(x => tf.sub(1, x) as Tensor4D, { op: 'invert' });
  const before = tf.memory().numTensors;
  const grid = await augmentationGrid(invert, images, { samples: 3, views: 2, scale: 1, gap: 0 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual(pngSize(grid.png), [3 * 6, 3 * 6]);
  // Decode and compare: column 0 is the original, columns 1-2 the inverted image.
  const decoded = tf.node.decodePng(grid.png, 1);
  const left = decoded.slice([0, 0, 0], [6, 6, 1]).div(255);
  const right = decoded.slice([0, 6, 0], [6, 6, 1]).div(255);
  const original = images.slice([0, 0, 0, 0], [1, 6, 6, 1]).reshape([6, 6, 1]);
  assert.ok(left.sub(original).abs().max().dataSync()[0] < 0.01);
  assert.ok(right.sub(tf.sub(1, original)).abs().max().dataSync()[0] < 0.01);
  assert.match(grid.caption, /3 images spread over the data \(left column\) and 2 random views/);
  await assert.rejects(
    augmentationGrid(invert, images, { sample: 3 } as never),
    /Unknown option 'sample'/
  );
});
