import { tf, type Tensor3D, type Tensor4D, type Tensor5D } from '../backend/tf';
import { check, checkOptionNames } from '../util/errors';
import { deriveSeed } from '../util/random';
import type { Displayable, MimeBundle } from './mime';

/**
 * A grid of images as one PNG (encoded by TensorFlow's native encoder), the format every
 * notebook viewer shows. Rows are samples, columns are views.
 */
export class ImageGrid implements Displayable {
  constructor(
    readonly png: Uint8Array,
    readonly width: number,
    readonly height: number,
    readonly caption: string
  ) {}

  toBundle(): MimeBundle {
    return {
      'image/png': Buffer.from(this.png).toString('base64'),
      'text/plain': this.caption
    };
  }
}

export interface ImageGridOptions {
  /** Pixel magnification (nearest neighbour), so 28x28 digits are visible (default 3). */
  scale?: number;
  /** Pixels of background between tiles (default 2). */
  gap?: number;
}

/** Lays out `tiles` [rows * cols, H, W, C] in [0, 1] as a rows x cols grid PNG. */
export async function imageGrid(
  tiles: Tensor4D,
  rows: number,
  cols: number,
  caption: string,
  options: ImageGridOptions = {}
): Promise<ImageGrid> {
  checkOptionNames('imageGrid', options, ['scale', 'gap']);
  const { scale = 3, gap = 2 } = options;
  check(
    tiles.shape[0] === rows * cols,
    `imageGrid got ${tiles.shape[0]} images for a ${rows}x${cols} grid.`,
    `Pass exactly ${rows * cols} images.`
  );
  const [, h, w, c] = tiles.shape;
  const grid = tf.tidy(() => {
    const big = tf.image.resizeNearestNeighbor(tiles, [h * scale, w * scale]);
    const padded = tf.pad(
      big,
      [
        [0, 0],
        [gap, gap],
        [gap, gap],
        [0, 0]
      ],
      1
    );
    const [, ph, pw] = padded.shape;
    // [rows, cols, ph, pw, c] -> [rows, ph, cols, pw, c] -> one image.
    return padded
      .reshape([rows, cols, ph, pw, c])
      .transpose([0, 2, 1, 3, 4])
      .reshape([rows * ph, cols * pw, c])
      .clipByValue(0, 1)
      .mul(255)
      .round()
      .toInt() as Tensor3D;
  });
  try {
    const png = await tf.node.encodePng(grid);
    return new ImageGrid(png, grid.shape[1], grid.shape[0], caption);
  } finally {
    grid.dispose();
  }
}

export interface AugmentationGridOptions extends ImageGridOptions {
  /** Images to show, one per row (default 8). */
  samples?: number;
  /** Augmented views per image, after the original (default 5). */
  views?: number;
  /** Seeds the views (default 0). */
  seed?: number;
}

/** An image augmentation as the grid calls it (every `ImageAugment` is one). */
export type GridAugment = (images: Tensor4D, seed: number) => Tensor4D;

/**
 * What the encoder will be asked to treat as "the same": each row is one image (left) and
 * several random views of it. Check augmentations by eye before training on them.
 */
export async function augmentationGrid(
  augment: GridAugment,
  images: Tensor4D,
  options: AugmentationGridOptions = {}
): Promise<ImageGrid> {
  checkOptionNames('augmentationGrid', options, ['samples', 'views', 'seed', 'scale', 'gap']);
  const { samples = 8, views = 5, seed = 0, ...gridOptions } = options;
  check(
    images.rank === 4 && images.shape[0] > 0,
    'augmentationGrid needs a batch of images [count, height, width, channels].',
    'Pass e.g. split.unlabeled.inputs.'
  );
  const count = Math.min(samples, images.shape[0]);
  const tiles = tf.tidy(() => {
    // Evenly spaced rows, so a dataset sorted by class still shows a spread of it.
    const rows = Int32Array.from({ length: count }, (_, i) =>
      Math.floor((i * images.shape[0]) / count)
    );
    const originals = tf.gather(images, tf.tensor1d(rows, 'int32'));
    const columns = [originals];
    for (let v = 0; v < views; v++) {
      columns.push(augment(originals, deriveSeed(seed, v)));
    }
    // [views + 1, count, ...] -> row-major by sample.
    const stacked = tf.stack(columns, 1) as Tensor5D;
    const [, , h, w, c] = stacked.shape;
    return stacked.reshape([count * (views + 1), h, w, c]) as Tensor4D;
  });
  try {
    return await imageGrid(
      tiles,
      count,
      views + 1,
      `Augmentation check: ${count} images spread over the data (left column) and ${views} random views of each.`,
      gridOptions
    );
  } finally {
    tiles.dispose();
  }
}
