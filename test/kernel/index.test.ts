/** The one public entry notebooks import: everything the README and examples use is there. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import * as px from '../../kernel/src/index';

const PUBLIC = [
  'params',
  'guide',
  'show',
  'loadMnist',
  'splitForSsl',
  'disposeDataset',
  'simclrAugment',
  'compose',
  'augmentationGrid',
  'convEncoder',
  'mlpEncoder',
  'projectionHead',
  'simclr',
  'byol',
  'vicreg',
  'barlowTwins',
  'rotation',
  'createTask',
  'METHODS',
  'train',
  'openRunStore',
  'loadCheckpoint',
  'compareRuns',
  'exportEncoder',
  'loadEncoder',
  'modelCard',
  'evaluate',
  'labelEfficiency',
  'knnMonitor',
  'collapseMonitor',
  'embeddingMap',
  'representationHealth',
  'alignmentUniformity',
  'anomalyScores',
  'auroc',
  'knnAccuracy',
  'linearProbe',
  'embed',
  'backendInfo',
  'PretextError'
] as const;

test('the public entry exports every documented function', () => {
  const missing = PUBLIC.filter(name => (px as Record<string, unknown>)[name] === undefined);
  assert.deepEqual(missing, []);
});

test('every name the README and the examples call on px is exported', () => {
  const root = resolve(__dirname, '..', '..');
  const sources = [
    readFileSync(join(root, 'README.md'), 'utf8'),
    ...readdirSync(join(root, 'examples'))
      .filter(f => f.endsWith('.ipynb'))
      .map(f => readFileSync(join(root, 'examples', f), 'utf8'))
  ];
  const used = new Set(
    sources.flatMap(text => [...text.matchAll(/\bpx\.([A-Za-z_][A-Za-z0-9_]*)/g)].map(m => m[1]))
  );
  const types = new Set(['LayersModel', 'Tensor', 'Tensor2D', 'Tensor4D']);
  const missing = [...used].filter(
    name => !types.has(name) && (px as Record<string, unknown>)[name] === undefined
  );
  assert.deepEqual(missing, [], `used in README/examples but not exported: ${missing.join(', ')}`);
});
