/** Tiny Pretext notebooks for the papermill, sweep and Ray tests, written to a folder. */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const VENV_BIN = join(ROOT, '.venv', 'bin');
export const PRETEXT_BIN = join(ROOT, 'kernel', 'bin', 'pretext.mjs');

export interface FixtureCell {
  source: string;
  tags?: string[];
}

/** Writes a notebook on the Pretext kernel with these code cells; returns its path. */
export function writeNotebook(dir: string, name: string, cells: FixtureCell[]): string {
  const notebook = {
    cells: cells.map(cell => ({
      cell_type: 'code',
      execution_count: null,
      metadata: cell.tags ? { tags: cell.tags } : {},
      outputs: [],
      source: cell.source
    })),
    metadata: {
      kernelspec: { name: 'pretext', display_name: 'TypeScript (Pretext)', language: 'typescript' },
      language_info: { name: 'typescript', file_extension: '.ts', mimetype: 'text/typescript' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(notebook, null, 1) + '\n');
  return file;
}

/**
 * A notebook that pretrains SimCLR for a handful of steps on 120 real digits, with a kNN
 * monitor, scores a linear probe and reports it; `fail: true` makes its last cell throw.
 */
export function writeTrainingNotebook(dir: string, name = 'tiny-train.ipynb'): string {
  return writeNotebook(dir, name, [
    {
      tags: ['parameters'],
      source: [
        "import * as px from 'pretext';",
        'const P = px.params({',
        '  small: { temperature: 0.5, epochs: 1, fail: false },',
        '  full: { temperature: 0.5, epochs: 3, fail: false }',
        '});'
      ].join('\n')
    },
    {
      source: [
        'const mnist = px.loadMnist({ perClass: 12 });',
        'const split = px.splitForSsl(mnist, { testFraction: 0.25, labelFraction: 0.5, seed: 0 });',
        'const encoder = px.convEncoder({ inputShape: [28, 28, 1], seed: 1 });',
        'const task = px.simclr({ encoder: encoder, augment: px.simclrAugment(), temperature: P.temperature });',
        'const run = await px.train(task, split.unlabeled, {',
        '  epochs: P.epochs, batchSize: 16, monitors: [px.knnMonitor(split.labeled, split.test, { k: 3 })]',
        '});'
      ].join('\n')
    },
    {
      source: [
        "if (P.fail) throw new Error('this configuration is set to fail');",
        'const scores = await px.evaluate({ pretrained: encoder }, split, { k: 3, probeEpochs: 5, display: false });',
        "px.recordResult({ probe: scores.accuracy('pretrained', 'linearProbe') });"
      ].join('\n')
    }
  ]);
}
