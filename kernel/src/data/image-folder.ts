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
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';
import { tf, type Tensor4D } from '../backend/tf';
import { check, checkOptionNames, PretextError } from '../util/errors';
import { permutation } from '../util/random';
import type { ImageDataset } from './dataset';
import type { DataSource } from './source';
import { decodeImage, readHeader, sniffFormat, type ImageHeader } from './image-files';
import { DataReport } from './report';

export interface ImageFolderOptions {
  /** 1 (grayscale) or 3 (RGB). Default: 1 when every image is stored grayscale, else 3. */
  channels?: 1 | 3;
  /** [height, width] every image is brought to. Default: the most common size in the folder. */
  size?: [number, number];
  /** Images of another size: 'resize' (default, bilinear) or 'skip'. Either way it is reported. */
  mixedSizes?: 'resize' | 'skip';
  /** 'subfolders': the first folder level names the class. Default 'none': no labels. */
  labels?: 'none' | 'subfolders';
  /** Dataset name (default: the folder's path). */
  name?: string;
}

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

interface Entry {
  path: string;
  rel: string;
  label?: number;
  header: ImageHeader;
}

interface Scan {
  root: string;
  entries: Entry[];
  classNames?: string[];
  size: [number, number];
  channels: 1 | 3;
  mixedSizes: 'resize' | 'skip';
  report: DataReport;
}

const IMAGE_LIKE = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.gif',
  '.bmp',
  '.webp',
  '.tif',
  '.tiff',
  '.heic'
]);

const isPositiveInt = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0;

/** Every non-hidden file under `dir`, sorted by path. */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string) => {
    const names = readdirSync(folder)
      .filter(n => !n.startsWith('.'))
      .sort();
    for (const name of names) {
      const full = join(folder, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(full);
    }
  };
  walk(dir);
  return out;
}

function checkFolderOptions(what: string, options: ImageFolderOptions, extra: string[]): void {
  checkOptionNames(what, options, ['channels', 'size', 'mixedSizes', 'labels', 'name', ...extra]);
  const { channels, size, mixedSizes, labels } = options;
  check(
    channels === undefined || channels === 1 || channels === 3,
    `${what}: channels must be 1 (grayscale) or 3 (RGB), got ${String(channels)}.`,
    'Pass channels: 1 or channels: 3, or leave it out to follow the files.'
  );
  check(
    size === undefined || (Array.isArray(size) && size.length === 2 && size.every(isPositiveInt)),
    `${what}: size must be [height, width] (two positive integers), got ${JSON.stringify(size)}.`,
    'Pass e.g. size: [28, 28], or leave it out to use the most common size.'
  );
  check(
    mixedSizes === undefined || mixedSizes === 'resize' || mixedSizes === 'skip',
    `${what}: mixedSizes must be 'resize' or 'skip', got ${JSON.stringify(mixedSizes)}.`,
    "Pass mixedSizes: 'resize' (default) or 'skip'."
  );
  check(
    labels === undefined || labels === 'none' || labels === 'subfolders',
    `${what}: labels must be 'none' or 'subfolders', got ${JSON.stringify(labels)}.`,
    "Pass labels: 'subfolders' when each class has its own folder."
  );
}

/** Lists the folder, reads every header, and decides size, channels and classes. */
function scanFolder(what: string, dir: string, options: ImageFolderOptions): Scan {
  check(
    typeof dir === 'string' && dir.length > 0,
    `${what}: the folder must be a path, got ${JSON.stringify(dir)}.`,
    "Pass a path such as './photos'."
  );
  const root = resolve(dir);
  check(
    existsSync(root),
    `${what}: the folder '${root}' does not exist.`,
    'Check the path (relative paths start at the notebook folder).'
  );
  check(
    statSync(root).isDirectory(),
    `${what}: '${root}' is a file, not a folder.`,
    'Pass the folder that holds the images.'
  );
  const files = listFiles(root);
  check(
    files.length > 0,
    `${what}: the folder '${root}' is empty (no files, ignoring hidden ones).`,
    'Put PNG or JPEG images in it (class subfolders for labels), or pass another folder.'
  );
  const labelled = options.labels === 'subfolders';
  let classNames: string[] | undefined;
  if (labelled) {
    classNames = readdirSync(root)
      .filter(n => !n.startsWith('.') && statSync(join(root, n)).isDirectory())
      .sort();
    check(
      classNames.length > 0,
      `${what}: labels: 'subfolders' was asked, but '${root}' has no subfolders to name the classes.`,
      "Put each class's images in its own subfolder (e.g. cats/, dogs/), or leave labels out."
    );
  }
  const report = new DataReport(`images in '${root}'`);
  const entries: Entry[] = [];
  for (const path of files) {
    report.total++;
    const rel = relative(root, path);
    const bytes = readFileSync(path);
    if (bytes.length === 0) {
      report.note(rel, 'empty file (0 bytes)', 'skipped');
      continue;
    }
    if (!sniffFormat(bytes)) {
      const ext = extname(path).toLowerCase();
      const problem = IMAGE_LIKE.has(ext)
        ? ext === '.png' || ext === '.jpg' || ext === '.jpeg'
          ? `named ${ext} but not a PNG or JPEG image inside`
          : `${ext.slice(1).toUpperCase()} is not supported (only PNG and JPEG)`
        : 'not a PNG or JPEG image';
      report.note(rel, problem, 'skipped');
      continue;
    }
    let header: ImageHeader;
    try {
      header = readHeader(bytes);
    } catch (error) {
      report.note(rel, `damaged image header (${(error as Error).message})`, 'skipped');
      continue;
    }
    let label: number | undefined;
    if (labelled) {
      const parts = rel.split(sep);
      if (parts.length < 2) {
        report.note(rel, 'not inside a class subfolder', 'skipped');
        continue;
      }
      label = classNames!.indexOf(parts[0]);
    }
    entries.push({ path, rel, label, header });
  }
  report.throwIfEmpty(
    entries.length,
    `Add PNG or JPEG images to '${root}' (readable ones: see the problems above).`
  );
  let size = options.size;
  if (!size) {
    // The most common size; ties go to the size seen first in sorted order.
    const counts = new Map<string, number>();
    for (const e of entries) {
      const key = `${e.header.height}x${e.header.width}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const [best] = [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a));
    size = best.split('x').map(Number) as [number, number];
  }
  const channels = options.channels ?? (entries.every(e => e.header.gray) ? 1 : 3);
  return {
    root,
    entries,
    classNames,
    size,
    channels,
    mixedSizes: options.mixedSizes ?? 'resize',
    report
  };
}

/**
 * Decodes one file into `out` (height x width x channels floats in [0, 1]); returns false,
 * with a note in the report, when the file has to be skipped.
 */
function decodeInto(scan: Scan, entry: Entry, bytes: Uint8Array, out: Float32Array): boolean {
  const { report, channels } = scan;
  const [height, width] = scan.size;
  let image;
  try {
    image = decodeImage(bytes);
  } catch (error) {
    const raw = String((error as Error)?.message ?? error).split('\n')[0];
    // pngjs reports a truncated file as pending stream reads; say what it means.
    const message = /read requests|unexpected end|end of (file|data)/i.test(raw)
      ? 'the file ends early: truncated?'
      : raw.slice(0, 80);
    report.note(
      entry.rel,
      `damaged ${entry.header.format.toUpperCase()} data (${message})`,
      'skipped'
    );
    return false;
  }
  const resize = image.height !== height || image.width !== width;
  if (resize && scan.mixedSizes === 'skip') {
    report.note(
      entry.rel,
      `size ${image.height}x${image.width}, not ${height}x${width}`,
      'skipped'
    );
    return false;
  }
  const n = image.width * image.height;
  const pixels = new Float32Array(n * channels);
  let colour = false;
  let transparent = false;
  for (let p = 0; p < n; p++) {
    const r = image.data[p * 4];
    const g = image.data[p * 4 + 1];
    const b = image.data[p * 4 + 2];
    if (image.data[p * 4 + 3] < 255) transparent = true;
    if (channels === 1) {
      if (r !== g || g !== b) colour = true;
      // ITU-R BT.601 luma, as PIL's convert('L').
      pixels[p] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    } else {
      pixels[p * 3] = r / 255;
      pixels[p * 3 + 1] = g / 255;
      pixels[p * 3 + 2] = b / 255;
    }
  }
  if (colour) report.note(entry.rel, 'colour image converted to grayscale', 'converted');
  if (transparent) report.note(entry.rel, 'transparency dropped (alpha ignored)', 'converted');
  if (resize) {
    report.note(
      entry.rel,
      `size ${image.height}x${image.width} resized to ${height}x${width}`,
      'converted'
    );
    const resized = tf.tidy(() =>
      tf.image
        .resizeBilinear(tf.tensor3d(pixels, [image.height, image.width, channels]), [height, width])
        .clipByValue(0, 1)
        .dataSync()
    );
    out.set(resized);
  } else out.set(pixels);
  return true;
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
      if (entry.label !== undefined) labels.push(entry.label);
    }
  }
  scan.report.throwIfEmpty(files.length, `Add readable PNG or JPEG images to '${scan.root}'.`);
  return {
    name: options.name ?? dir,
    inputs: tf.tensor4d(data.subarray(0, files.length * perImage), [
      files.length,
      height,
      width,
      scan.channels
    ]),
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
            if (entry.label !== undefined) labels.push(entry.label);
          }
        });
        if (files.length === 0) continue;
        yield {
          inputs: tf.tensor4d(data.subarray(0, files.length * perImage), [
            files.length,
            height,
            width,
            scan.channels
          ]),
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
