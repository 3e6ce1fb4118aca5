import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Chart } from '../../../kernel/src/render/chart';
import {
  decimate,
  dashboardText,
  formatDuration,
  TrainingDashboard
} from '../../../kernel/src/render/dashboard';
import { setDisplaySink } from '../../../kernel/src/render/display';
import { MIME, type MimeBundle } from '../../../kernel/src/render/mime';
import { accuracyBarsSpec, lossCurveSpec } from '../../../kernel/src/render/specs';
import { specToSvg } from '../../../kernel/src/render/vega';

const points = Array.from({ length: 30 }, (_, i) => ({
  step: i + 1,
  epoch: 1 + Math.floor(i / 10),
  loss: 5 / (i + 1)
}));

test('loss curve and accuracy specs compile and render to SVG with their axis titles', async () => {
  const loss = await specToSvg(lossCurveSpec(points));
  assert.match(loss, /^<svg/);
  assert.ok(loss.includes('training step') && loss.includes('loss (lower is better)'));
  const bars = await specToSvg(
    accuracyBarsSpec([
      { model: 'SimCLR', protocol: 'kNN', accuracy: 0.9 },
      { model: 'random init', protocol: 'kNN', accuracy: 0.6 }
    ])
  );
  assert.ok(bars.includes('test accuracy') && bars.includes('SimCLR'));
});

test('a chart bundle has the spec as an object, an SVG fallback and text', async () => {
  const bundle = await new Chart(
    lossCurveSpec(points),
    'loss fell from 5 to 0.17',
    'Loss'
  ).toBundle();
  const json = bundle[MIME.chart] as { spec: Record<string, unknown>; title: string };
  assert.equal(typeof json, 'object');
  assert.equal(json.title, undefined, 'the spec has its own title; no second one');
  assert.ok(Array.isArray((json.spec.datasets as { history: unknown[] }).history));
  assert.match(bundle['image/svg+xml'] as string, /^<svg/);
  assert.equal(bundle['text/plain'], 'loss fell from 5 to 0.17');
});

test('decimate keeps at most max points, including the first and last', () => {
  const many = Array.from({ length: 1000 }, (_, i) => ({ step: i + 1, epoch: 1, loss: i }));
  const kept = decimate(many, 100);
  assert.equal(kept.length, 100);
  assert.equal(kept[0].step, 1);
  assert.equal(kept.at(-1)!.step, 1000);
  assert.equal(decimate(points, 100), points);
});

test('dashboard text and durations read well', () => {
  assert.equal(formatDuration(5), '5s');
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(3720), '1h02m');
  const text = dashboardText({
    title: 'simclr on MNIST',
    status: 'running',
    step: 10,
    totalSteps: 40,
    epoch: 1,
    totalEpochs: 4,
    elapsedSec: 10,
    samplesPerSec: 256,
    metrics: { loss: 4.5 },
    history: []
  });
  assert.match(
    text,
    /simclr on MNIST \[running\] step 10\/40 \(epoch 1\/4\) · 256 samples\/s · ETA 30s/
  );
  assert.match(text, /loss 4\.5000/);
});

test('dashboard updates one display in place; the final update carries the SVG', async () => {
  const sent: { bundle: MimeBundle; id: string; update: boolean }[] = [];
  setDisplaySink((bundle, id, update) => sent.push({ bundle, id, update }));
  try {
    const dashboard = new TrainingDashboard(0);
    const state = {
      title: 't',
      status: 'running' as const,
      step: 1,
      totalSteps: 2,
      epoch: 1,
      totalEpochs: 1,
      elapsedSec: 1,
      metrics: { loss: 1 },
      history: points.slice(0, 1)
    };
    dashboard.update(state);
    dashboard.update({ ...state, step: 2, history: points.slice(0, 2) });
    await dashboard.finish({ ...state, status: 'done', step: 2, history: points.slice(0, 2) });
    assert.equal(sent.length, 3);
    assert.deepEqual(
      sent.map(s => s.update),
      [false, true, true]
    );
    assert.equal(new Set(sent.map(s => s.id)).size, 1, 'all updates target one display id');
    assert.equal(sent[0].bundle['image/svg+xml'], undefined, 'live updates skip the costly SVG');
    const final = sent[2].bundle;
    assert.match(final['image/svg+xml'] as string, /^<svg/);
    assert.equal((final[MIME.dashboard] as { status: string }).status, 'done');
    assert.ok(final['text/plain'].includes('[done]'));
  } finally {
    setDisplaySink(null);
  }
});

test('a chart whose spec has no title carries the given one for the renderer', async () => {
  const { title, ...untitled } = lossCurveSpec(points);
  assert.ok(title);
  const bundle = await new Chart(untitled, 'loss', 'Loss').toBundle();
  assert.equal((bundle[MIME.chart] as { title?: string }).title, 'Loss');
});
