/**
 * Scanning an image folder: list the files (sorted, hidden ones ignored), recognise PNG/JPEG
 * by content, read every header, and decide size, channels and classes; what cannot be used
 * goes into the DataReport.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { DataReport } from '../../data/report';
import { check, checkOptionNames } from '../../util/errors';
import { readHeader, sniffFormat, type ImageHeader } from './image-files';

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

export interface Entry {
  path: string;
  rel: string;
  label?: number;
  header: ImageHeader;
}

export interface Scan {
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

export const isPositiveInt = (v: unknown): v is number =>
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
      if (statSync(full).isDirectory()) {
        walk(full);
      } else {
        out.push(full);
      }
    }
  };
  walk(dir);
  return out;
}

export function checkFolderOptions(
  what: string,
  options: ImageFolderOptions,
  extra: string[]
): void {
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
export function scanFolder(what: string, dir: string, options: ImageFolderOptions): Scan {
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
