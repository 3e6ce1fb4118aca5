/**
 * Reading and writing single PNG and JPEG files with pure-JavaScript codecs (pngjs, jpeg-js).
 * Pure JS on purpose: sharp and canvas need native binaries downloaded at install time, which
 * this project's install (npm ci --ignore-scripts, no network) cannot do, and tfjs-node's
 * decodeImage would tie file reading to the native backend's build. Decoding a 28x28 PNG takes
 * well under a millisecond, so the codecs are not the bottleneck for folders of small images.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { tf, type Tensor4D } from '../../backend/tf';
import { check, checkOptionNames } from '../../util/errors';

export type ImageFormat = 'png' | 'jpeg';

/** What a file's first bytes say, without decoding the pixels. */
export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
  /** True when the file stores one intensity per pixel (PNG grey, 1-component JPEG). */
  gray: boolean;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** 'png', 'jpeg', or undefined when the bytes are neither (checked by content, not name). */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_MAGIC.every((b, i) => bytes[i] === b)) {
    return 'png';
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'jpeg';
  }
  return undefined;
}

/**
 * Width, height and colour model from the header: the PNG IHDR chunk, or the first JPEG
 * start-of-frame marker. Throws a plain Error when the header is damaged (the caller reports).
 */
export function readHeader(bytes: Uint8Array): ImageHeader {
  const format = sniffFormat(bytes);
  if (format === 'png') {
    if (bytes.length < 33) {
      throw new Error('truncated PNG header');
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const width = view.getUint32(16);
    const height = view.getUint32(20);
    const colorType = bytes[25];
    if (width === 0 || height === 0) {
      throw new Error('PNG header gives a zero size');
    }
    return { format, width, height, gray: colorType === 0 || colorType === 4 };
  }
  if (format === 'jpeg') {
    let i = 2;
    while (i + 9 < bytes.length) {
      if (bytes[i] !== 0xff) {
        throw new Error('damaged JPEG marker sequence');
      }
      const marker = bytes[i + 1];
      if (marker === 0xff) {
        i++;
        continue;
      }
      const length = (bytes[i + 2] << 8) | bytes[i + 3];
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
        const height = (bytes[i + 5] << 8) | bytes[i + 6];
        const width = (bytes[i + 7] << 8) | bytes[i + 8];
        if (width === 0 || height === 0) {
          throw new Error('JPEG frame gives a zero size');
        }
        return { format, width, height, gray: bytes[i + 9] === 1 };
      }
      i += 2 + length;
    }
    throw new Error('no JPEG frame header found (truncated file?)');
  }
  throw new Error('not a PNG or JPEG file');
}

/** Decoded pixels: RGBA, 8 bits per channel, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Decodes a whole PNG or JPEG file. Throws a plain Error on damaged data. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  const format = sniffFormat(bytes);
  if (format === 'png') {
    const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: png.width, height: png.height, data: png.data };
  }
  if (format === 'jpeg') {
    // tolerantDecoding off: a truncated JPEG is an error to report, not a half-grey image.
    const img = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxMemoryUsageInMB: 1024
    });
    return { width: img.width, height: img.height, data: img.data };
  }
  throw new Error('not a PNG or JPEG file');
}

/** Encodes one [height, width, 1 | 3] image with values in [0, 1] (clipped). */
export function encodeImage(
  pixels: Float32Array | number[],
  height: number,
  width: number,
  channels: number,
  format: ImageFormat,
  quality = 90
): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let k = 0; k < 3; k++) {
      const v = pixels[p * channels + (channels === 1 ? 0 : k)];
      rgba[p * 4 + k] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
    rgba[p * 4 + 3] = 255;
  }
  if (format === 'png') {
    const png = new PNG({ width, height });
    png.data = Buffer.from(rgba.buffer);
    return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 });
  }
  return jpeg.encode({ data: rgba, width, height }, quality).data;
}

export interface WriteImageFolderOptions {
  /** 'png' (default, lossless) or 'jpeg'. */
  format?: ImageFormat;
  /** JPEG quality 1-100 (default 90). */
  quality?: number;
  /** One subfolder per class (default: true when the data has labels). */
  byClass?: boolean;
  /** File name prefix (default 'img'); files are numbered in data order. */
  prefix?: string;
}

/**
 * Writes every image of `data` ([N, H, W, 1 | 3] in [0, 1]) into `dir` as PNG or JPEG files,
 * into one subfolder per class when the data is labelled — the layout loadImageFolder(dir,
 * { labels: 'subfolders' }) reads back. Returns the paths written.
 */
export function writeImageFolder(
  dir: string,
  data: { inputs: Tensor4D; labels?: Int32Array; classNames?: readonly string[] },
  options: WriteImageFolderOptions = {}
): string[] {
  const what = 'writeImageFolder';
  checkOptionNames(what, options, ['format', 'quality', 'byClass', 'prefix']);
  const { format = 'png', quality = 90, prefix = 'img' } = options;
  check(
    typeof dir === 'string' && dir.length > 0,
    `${what}: dir must be a folder path, got ${JSON.stringify(dir)}.`,
    "Pass a path such as 'my-images'."
  );
  check(
    data?.inputs instanceof tf.Tensor &&
      data.inputs.rank === 4 &&
      [1, 3].includes(data.inputs.shape[3]),
    `${what}: expected images [count, height, width, 1 or 3], got ${data?.inputs instanceof tf.Tensor ? `[${data.inputs.shape.join(', ')}]` : typeof data?.inputs}.`,
    'Pass an image dataset such as loadMnist().'
  );
  check(
    format === 'png' || format === 'jpeg',
    `${what}: format must be 'png' or 'jpeg', got ${JSON.stringify(format)}.`,
    "Pass format: 'png' (lossless) or 'jpeg'."
  );
  check(
    Number.isInteger(quality) && quality >= 1 && quality <= 100,
    `${what}: quality must be an integer from 1 to 100, got ${String(quality)}.`,
    'Pass e.g. quality: 90.'
  );
  const byClass = options.byClass ?? data.labels !== undefined;
  check(
    !byClass || data.labels !== undefined,
    `${what}: byClass needs labels, but the data has none.`,
    'Leave byClass out for unlabeled data.'
  );
  const [n, h, w, c] = data.inputs.shape;
  const pixels = data.inputs.dataSync() as Float32Array;
  const size = h * w * c;
  const digits = String(n - 1).length;
  const written: string[] = [];
  const extension = format === 'png' ? 'png' : 'jpg';
  for (let i = 0; i < n; i++) {
    const label = data.labels?.[i];
    const folder =
      byClass && label !== undefined ? join(dir, data.classNames?.[label] ?? String(label)) : dir;
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `${prefix}${String(i).padStart(digits, '0')}.${extension}`);
    writeFileSync(
      file,
      encodeImage(pixels.subarray(i * size, (i + 1) * size), h, w, c, format, quality)
    );
    written.push(file);
  }
  return written;
}
