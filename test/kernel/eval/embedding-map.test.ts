import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import { embeddingMap, project } from '../../../kernel/src/eval/embedding-map';
import { MIME } from '../../../kernel/src/render/mime';

/** Two well-separated clusters in 10-D. */
function clusters(n: number): number[][] {
  const random = tf.randomNormal([n, 10], 0, 0.1, 'float32', 7).arraySync() as number[][];
  return random.map((row, i) => row.map((v, d) => v + (i % 2 === 0 ? 0 : d === 0 ? 5 : 0)));
}

function separated(coords: [number, number][]): boolean {
  // The clusters must be split along some line: compare each point to its class centroid.
  const centroid = (parity: number) => {
    const pts = coords.filter((_, i) => i % 2 === parity);
    return [0, 1].map(k => pts.reduce((s, p) => s + p[k], 0) / pts.length);
  };
  const [a, b] = [centroid(0), centroid(1)];
  const dist = (p: number[], c: number[]) => Math.hypot(p[0] - c[0], p[1] - c[1]);
  return coords.every((p, i) => (i % 2 === 0 ? dist(p, a) < dist(p, b) : dist(p, b) < dist(p, a)));
}

test('PCA and UMAP keep two clusters apart; UMAP is seeded', async () => {
  const data = clusters(80);
  assert.ok(separated(await project(data, { method: 'pca' })));
  const umap = await project(data, { method: 'umap', seed: 3, neighbors: 10 });
  assert.ok(separated(umap));
  assert.deepEqual(await project(data, { method: 'umap', seed: 3, neighbors: 10 }), umap);
  await assert.rejects(
    project(data, { method: 'tsne' as never }),
    /Unknown embedding map method 'tsne'/
  );
  await assert.rejects(
    project(data.slice(0, 5), { method: 'umap' }),
    /more points \(5\) than neighbours \(15\)/
  );
});

test('embeddingMap samples, labels and renders a zoomable chart with an SVG fallback', async () => {
  const encoder = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [4, 4, 1] }), tf.layers.dense({ units: 3 })]
  });
  const images = tf.randomUniform([50, 4, 4, 1], 0, 1, 'float32', 1) as Tensor4D;
  const labels = Int32Array.from({ length: 50 }, (_, i) => i % 2);
  const before = tf.memory().numTensors;
  const chart = await embeddingMap(
    encoder,
    { name: 'toy', inputs: images, labels, classNames: ['cat', 'dog'] },
    { method: 'pca', maxPoints: 20 }
  );
  assert.equal(tf.memory().numTensors, before);
  const points = (
    chart.spec.datasets as { points: { label: string; index: number; image: string }[] }
  ).points;
  assert.equal(points.length, 20);
  // Hovering shows the image: a PNG data URI in a tooltip field titled 'image'.
  assert.ok(points.every(p => p.image.startsWith('data:image/png;base64,iVBORw0KGgo')));
  const tooltip = (chart.spec.encoding as { tooltip: { title: string }[] }).tooltip;
  assert.ok(tooltip.some(t => t.title === 'image'));
  assert.ok(points.every(p => p.label === (p.index % 2 === 0 ? 'cat' : 'dog')));
  const bundle = await chart.toBundle();
  assert.ok(MIME.chart in bundle);
  assert.match(bundle['image/svg+xml'] as string, /^<svg/);
  await assert.rejects(
    embeddingMap(encoder, { name: 'toy', inputs: images }, { metod: 'pca' } as never),
    /Unknown option 'metod'/
  );
});
