/** Pixel conversion: one decoded PNG/JPEG file into [height, width, channels] floats in [0, 1]. */
import { tf } from '../../backend/tf';
import { decodeImage } from './image-files';
import type { Entry, Scan } from './scan';

/**
 * Decodes one file into `out` (height x width x channels floats in [0, 1]); returns false,
 * with a note in the report, when the file has to be skipped.
 */
export function decodeInto(
  scan: Scan,
  entry: Entry,
  bytes: Uint8Array,
  out: Float32Array
): boolean {
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
    if (image.data[p * 4 + 3] < 255) {
      transparent = true;
    }
    if (channels === 1) {
      if (r !== g || g !== b) {
        colour = true;
      }
      // ITU-R BT.601 luma, as PIL's convert('L').
      pixels[p] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
    } else {
      pixels[p * 3] = r / 255;
      pixels[p * 3 + 1] = g / 255;
      pixels[p * 3 + 2] = b / 255;
    }
  }
  if (colour) {
    report.note(entry.rel, 'colour image converted to grayscale', 'converted');
  }
  if (transparent) {
    report.note(entry.rel, 'transparency dropped (alpha ignored)', 'converted');
  }
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
  } else {
    out.set(pixels);
  }
  return true;
}
