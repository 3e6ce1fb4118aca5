/** Tiny synthetic image sets for task tests: a few shape classes drawn at random places. */
import { tf, type Tensor4D } from '../../../kernel/src/backend/tf';
import { rng } from '../../../kernel/src/util/random';

export const SHAPE_CLASSES = ['disk', 'frame', 'bar', 'cross'] as const;

/** n images of size x size x 1 in [0, 1]; labels cycle through SHAPE_CLASSES. */
export function shapeImages(
  n: number,
  size = 28,
  seed = 0
): { images: Tensor4D; labels: Int32Array } {
  const random = rng(seed);
  const pixels = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % SHAPE_CLASSES.length;
    labels[i] = label;
    const r = size * (0.2 + 0.1 * random());
    const cy = r + random() * (size - 2 * r);
    const cx = r + random() * (size - 2 * r);
    const intensity = 0.7 + 0.3 * random();
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const dy = y - cy;
        const dx = x - cx;
        let on = false;
        if (label === 0) {
          on = dx * dx + dy * dy <= r * r;
        } else if (label === 1) {
          on =
            Math.max(Math.abs(dx), Math.abs(dy)) <= r &&
            Math.max(Math.abs(dx), Math.abs(dy)) >= r - 2;
        } else if (label === 2) {
          on = Math.abs(dy) <= 1.5 && Math.abs(dx) <= r;
        } else {
          on =
            (Math.abs(dy) <= 1.5 && Math.abs(dx) <= r) ||
            (Math.abs(dx) <= 1.5 && Math.abs(dy) <= r);
        }
        if (on) {
          pixels[i * size * size + y * size + x] = intensity;
        }
      }
    }
  }
  return { images: tf.tensor4d(pixels, [n, size, size, 1]), labels };
}
