/**
 * The user's own images: a folder of PNG and JPEG files as a dataset, in memory
 * (loadImageFolder), or, for folders larger than memory, as a training source that decodes
 * the batches the engine asks for (imageFolderSource) or as an async stream of batches
 * (imageFolderBatches). Real folders are messy, so both keep going past files they cannot use
 * — empty files, other formats, damaged images, odd sizes, files outside class folders — and
 * say what they did in a DataReport, instead of crashing halfway or silently loading less.
 *
 * Files are recognised by content (the PNG/JPEG signature), not by name; hidden files and
 * folders (.DS_Store, .ipynb_checkpoints) are ignored. Files are visited in sorted path order,
 * so the same folder always gives the same dataset.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tf, type Tensor4D } from '../../backend/tf';
import type { ImageDataset } from '../../data/dataset';
import { DataReport } from '../../data/report';
import type { DataSource } from '../../data/source';
import { check, PretextError } from '../../util/errors';
import { permutation } from '../../util/random';
import { decodeInto } from './pixels';
import {
  checkFolderOptions,
  isPositiveInt,
  scanFolder,
  type ImageFolderOptions,
  type Scan
} from './scan';

export type { ImageFolderOptions } from './scan';

export interface ImageFolderBatchOptions extends ImageFolderOptions {
  /** Images per batch. */
  batchSize: number;
  /** Visit files in a seeded random order (default false: sorted order). */
  shuffle?: boolean;
  seed?: number;
}

/** An image dataset loaded from a folder, with the files it came from and its data report. */
export type ImageFolderDataset = ImageDataset & {
  /** Path of each loaded image, relative to the folder, in row order. */
  readonly files: readonly string[];
  readonly report: DataReport;
};

/** The first `count` decoded images in `data` as one [count, height, width, channels] tensor. */
function imageTensor(scan: Scan, data: Float32Array, count: number): Tensor4D {
  const [height, width] = scan.size;
  const shape: [number, number, number, number] = [count, height, width, scan.channels];
  return tf.tensor4d(data.subarray(0, count * height * width * scan.channels), shape);
}

/**
 * Loads a folder of PNG/JPEG images into one [N, height, width, channels] tensor in [0, 1].
 * Sizes and channels follow the files unless given; with labels: 'subfolders' each first-level
 * folder is a class (sorted names; files directly in the folder are skipped). Everything
 * skipped, resized or converted is in `report` (show it with report.show()).
 */
export function loadImageFolder(dir: string, options: ImageFolderOptions = {}): ImageFolderDataset {
  const what = 'loadImageFolder';
  checkFolderOptions(what, options, []);
  const scan = scanFolder(what, dir, options);
  const [height, width] = scan.size;
  const perImage = height * width * scan.channels;
  const data = new Float32Array(scan.entries.length * perImage);
  const files: string[] = [];
  const labels: number[] = [];
  for (const entry of scan.entries) {
    const slot = data.subarray(files.length * perImage, (files.length + 1) * perImage);
    if (decodeInto(scan, entry, readFileSync(entry.path), slot)) {
      files.push(entry.rel);
      if (entry.label !== undefined) {
        labels.push(entry.label);
      }
    }
  }
  scan.report.throwIfEmpty(files.length, `Add readable PNG or JPEG images to '${scan.root}'.`);
  return {
    name: options.name ?? dir,
    inputs: imageTensor(scan, data, files.length),
    labels: scan.classNames ? Int32Array.from(labels) : undefined,
    classNames: scan.classNames,
    files,
    report: scan.report
  };
}

/** One batch from imageFolderBatches; the caller disposes `inputs`. */
export interface ImageBatch {
  inputs: Tensor4D;
  labels?: Int32Array;
  files: string[];
}

/** Batches of a folder, read and decoded as they are asked for. */
export interface ImageFolderBatches extends AsyncIterable<ImageBatch> {
  /** Files that passed the header check (some may still fail to decode). */
  readonly candidates: number;
  readonly size: [number, number];
  readonly channels: 1 | 3;
  readonly classNames?: readonly string[];
  /** Grows as batches are decoded; complete once iteration ends. */
  readonly report: DataReport;
}

/**
 * Streams a folder too large for memory: headers are read up front (to fix size, channels and
 * classes, and to report unusable files), pixels one batch at a time. Each pass over the
 * iterable reads the files again, so a training loop can run several epochs over it.
 */
export function imageFolderBatches(
  dir: string,
  options: ImageFolderBatchOptions
): ImageFolderBatches {
  const what = 'imageFolderBatches';
  check(
    typeof options === 'object' && options !== null,
    `${what} needs options with a batchSize.`,
    `Call ${what}(dir, { batchSize: 64 }).`
  );
  checkFolderOptions(what, options, ['batchSize', 'shuffle', 'seed']);
  const { batchSize, shuffle = false, seed = 0 } = options;
  check(
    isPositiveInt(batchSize),
    `${what}: batchSize must be a positive integer, got ${String(batchSize)}.`,
    'Pass e.g. batchSize: 64.'
  );
  const scan = scanFolder(what, dir, options);
  const [height, width] = scan.size;
  const perImage = height * width * scan.channels;
  let pass = 0;
  return {
    candidates: scan.entries.length,
    size: scan.size,
    channels: scan.channels,
    classNames: scan.classNames,
    report: scan.report,
    async *[Symbol.asyncIterator]() {
      const order = shuffle
        ? Array.from(permutation(scan.entries.length, seed + pass))
        : scan.entries.map((_, i) => i);
      const firstPass = pass === 0;
      pass++;
      // Decode problems are noted once, on the first pass, not again every epoch.
      const quiet = new DataReport(scan.report.what);
      const target = firstPass ? scan : { ...scan, report: quiet };
      for (let start = 0; start < order.length; start += batchSize) {
        const chunk = order.slice(start, start + batchSize).map(i => scan.entries[i]);
        const contents = await Promise.all(chunk.map(e => readFile(e.path)));
        const data = new Float32Array(chunk.length * perImage);
        const files: string[] = [];
        const labels: number[] = [];
        chunk.forEach((entry, i) => {
          const slot = data.subarray(files.length * perImage, (files.length + 1) * perImage);
          if (decodeInto(target, entry, contents[i], slot)) {
            files.push(entry.rel);
            if (entry.label !== undefined) {
              labels.push(entry.label);
            }
          }
        });
        if (files.length === 0) {
          continue;
        }
        yield {
          inputs: imageTensor(scan, data, files.length),
          labels: scan.classNames ? Int32Array.from(labels) : undefined,
          files
        };
      }
    }
  };
}

/** A folder as a training source: px.train reads batches by position, decoded on demand. */
export type ImageFolderSource = DataSource & {
  /** Path of each usable image, relative to the folder, by source index. */
  readonly files: readonly string[];
  readonly labels?: Int32Array;
  readonly classNames?: readonly string[];
  readonly report: DataReport;
};

/**
 * A folder larger than memory as a DataSource for px.train: every file is decoded once up
 * front to check it (and dropped again, so memory stays flat), problems go to the report, and
 * training then decodes only the images of each batch. Shuffling, resume and checkpoints work
 * as with data in memory, because the engine reads by position.
 */
export function imageFolderSource(
  dir: string,
  options: ImageFolderOptions = {}
): ImageFolderSource {
  const what = 'imageFolderSource';
  checkFolderOptions(what, options, []);
  const scan = scanFolder(what, dir, options);
  const [height, width] = scan.size;
  const scratch = new Float32Array(height * width * scan.channels);
  const usable = scan.entries.filter(e => decodeInto(scan, e, readFileSync(e.path), scratch));
  scan.report.throwIfEmpty(usable.length, `Add readable PNG or JPEG images to '${scan.root}'.`);
  // Channels follow the usable files only: a damaged colour file must not make the rest RGB.
  const channels = options.channels ?? (usable.every(e => e.header.gray) ? 1 : 3);
  const perImage = height * width * channels;
  // Verification already noted conversions; reads must not note them again.
  const silent = { ...scan, channels, report: new DataReport(scan.report.what) };
  return {
    name: options.name ?? dir,
    size: usable.length,
    exampleShape: [height, width, channels],
    dtype: 'float32',
    labeled: scan.classNames !== undefined,
    files: usable.map(e => e.rel),
    labels: scan.classNames ? Int32Array.from(usable, e => e.label!) : undefined,
    classNames: scan.classNames,
    report: scan.report,
    read: async (indices: Int32Array) => {
      const chosen = Array.from(indices, i => usable[i]);
      const contents = await Promise.all(chosen.map(e => readFile(e.path)));
      const data = new Float32Array(chosen.length * perImage);
      chosen.forEach((entry, i) => {
        if (
          !decodeInto(silent, entry, contents[i], data.subarray(i * perImage, (i + 1) * perImage))
        ) {
          throw new PretextError(
            `'${entry.rel}' in '${scan.root}' could not be decoded any more; it changed after the folder was loaded.`,
            'Do not modify the folder while training from it, or load it again.'
          );
        }
      });
      return tf.tensor4d(data, [chosen.length, height, width, channels]);
    }
  };
}
