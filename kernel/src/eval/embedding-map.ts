/**
 * 2-D maps of embeddings (PCA, or UMAP from umap-js, PAIR's maintained port), coloured by
 * label when labels exist: the quickest look at whether classes separate without any probe.
 */
import { PCA } from 'ml-pca';
import { UMAP } from 'umap-js';
import { tf, type LayersModel, type Tensor3D, type Tensor4D } from '../backend/tf';
import { datasetSize, subset, type Dataset } from '../data/dataset';
import { Chart } from '../render/chart';
import { embeddingMapSpec, type MapPoint } from '../render/specs';
import { flag, nonNegativeNumber, positiveInteger } from '../options/fields';
import { checkedBy, inputIs, optionsObject, parseOptions, says, z } from '../options/schema';
import { check } from '../util/errors';
import { checkSeed, permutation, rng } from '../util/random';
import { validateDataset } from '../data/validate';
import { embed } from '../features/embed';

export interface EmbeddingMapOptions {
  /** 'umap' (default) keeps neighbourhoods; 'pca' is linear, fast and deterministic. */
  method?: 'umap' | 'pca';
  /** At most this many points, sampled with the seed (default 1500). */
  maxPoints?: number;
  /** UMAP neighbourhood size (default 15). */
  neighbors?: number;
  /** UMAP minimum distance between embedded points (default 0.1). */
  minDist?: number;
  seed?: number;
  title?: string;
  /**
   * Put each image in its point's tooltip, so hovering shows it (default: true for images up
   * to 64x64). Each adds a few hundred bytes to the saved notebook.
   */
  thumbnails?: boolean;
}

const embeddingMapOptions = inputIs<EmbeddingMapOptions>()(
  optionsObject(
    'embeddingMap',
    {
      method: z
        .enum(
          ['umap', 'pca'],
          says(
            v => `Unknown embedding map method '${String(v)}'.`,
            "Use method: 'umap' or method: 'pca'."
          )
        )
        .default('umap'),
      maxPoints: positiveInteger('embeddingMap maxPoints', 'Pass e.g. maxPoints: 1500.').default(
        1500
      ),
      // Checked against the number of points in project().
      neighbors: z.custom<number>().optional(),
      minDist: nonNegativeNumber('embeddingMap minDist', 'Pass e.g. minDist: 0.1.').optional(),
      seed: checkedBy<number>(seed => checkSeed('embeddingMap', seed)).default(0),
      title: z
        .string(
          says(
            v => `embeddingMap title must be a string, got ${String(v)}.`,
            "Pass e.g. title: 'SimCLR'."
          )
        )
        .optional(),
      thumbnails: flag(
        'embeddingMap thumbnails',
        'Pass thumbnails: false to leave images out of the tooltips.'
      ).optional()
    },
    {
      problem: v => `embeddingMap options must be an object, got ${String(v)}.`,
      fix: "Pass e.g. { method: 'umap', maxPoints: 1500 }."
    }
  )
);

export type { MapPoint } from '../render/specs';

/** Projects rows of `features` to 2-D. */
export async function project(
  features: number[][],
  options: Pick<EmbeddingMapOptions, 'method' | 'neighbors' | 'minDist' | 'seed'> = {}
): Promise<[number, number][]> {
  const { method = 'umap', neighbors = 15, minDist = 0.1, seed = 0 } = options;
  check(
    method === 'umap' || method === 'pca',
    `Unknown embedding map method '${String(method)}'.`,
    "Use method: 'umap' or method: 'pca'."
  );
  if (method === 'pca') {
    const pca = new PCA(features, { center: true, scale: false });
    return pca.predict(features, { nComponents: 2 }).to2DArray() as [number, number][];
  }
  check(
    features.length > neighbors,
    `UMAP needs more points (${features.length}) than neighbours (${neighbors}).`,
    `Use more points, a smaller 'neighbors', or method: 'pca'.`
  );
  const umap = new UMAP({ nComponents: 2, nNeighbors: neighbors, minDist, random: rng(seed) });
  // fitAsync yields between epochs, so the kernel stays responsive to interrupts.
  await umap.fitAsync(features, () => true);
  return umap.getEmbedding() as [number, number][];
}

/** Each image as a small PNG data URI (TensorFlow's native encoder). */
async function pngDataUris(images: Tensor4D): Promise<string[]> {
  const uris: string[] = [];
  for (let i = 0; i < images.shape[0]; i++) {
    const pixels = tf.tidy(
      () =>
        tf
          .slice(images, [i, 0, 0, 0], [1, -1, -1, -1])
          .squeeze([0])
          .clipByValue(0, 1)
          .mul(255)
          .round()
          .toInt() as Tensor3D
    );
    try {
      uris.push(
        `data:image/png;base64,${Buffer.from(await tf.node.encodePng(pixels)).toString('base64')}`
      );
    } finally {
      pixels.dispose();
    }
  }
  return uris;
}

/** A zoomable scatter of the encoder's embeddings of `data`, coloured by class. */
export async function embeddingMap(
  encoder: LayersModel,
  data: Dataset,
  options: EmbeddingMapOptions = {}
): Promise<Chart> {
  const given = parseOptions(embeddingMapOptions, options);
  const { method, maxPoints, seed } = given;
  validateDataset(data, 'embeddingMap');
  const size = datasetSize(data);
  check(
    size >= 3,
    `Dataset '${data.name}' has ${size} examples; a map needs at least 3.`,
    'Map a larger set, e.g. split.test.'
  );
  const rows = Int32Array.from(
    permutation(size, seed).subarray(0, Math.min(maxPoints, size))
  ).sort();
  const sample = rows.length < size ? subset(data, rows) : data;
  const [, height, width, channels] = data.inputs.shape;
  const isImage = data.inputs.rank === 4 && (channels === 1 || channels === 3);
  check(
    !given.thumbnails || isImage,
    `thumbnails: the examples of '${data.name}' are not images (shape [${data.inputs.shape.join(', ')}]).`,
    'Leave thumbnails out for text, tables and series.'
  );
  const thumbnails = given.thumbnails ?? (isImage && height <= 64 && width <= 64);
  const features = embed(encoder, sample.inputs);
  let coordinates: [number, number][];
  let images: string[] = [];
  try {
    coordinates = await project(features.arraySync(), given);
    if (thumbnails) {
      images = await pngDataUris(sample.inputs as Tensor4D);
    }
  } finally {
    features.dispose();
    if (sample !== data) {
      sample.inputs.dispose();
    }
  }
  const points: MapPoint[] = coordinates.map(([x, y], i) => ({
    x,
    y,
    index: rows[i],
    ...(data.labels
      ? { label: data.classNames?.[data.labels[rows[i]]] ?? String(data.labels[rows[i]]) }
      : {}),
    ...(thumbnails ? { image: images[i] } : {})
  }));
  const title =
    given.title ?? `${method.toUpperCase()} map of ${encoder.name} embeddings: ${data.name}`;
  const spec = embeddingMapSpec(points, {
    title,
    method,
    labelled: Boolean(data.labels),
    thumbnails
  });
  const summary = `${method.toUpperCase()} map of ${points.length} embeddings from ${data.name}${data.labels ? ', coloured by class' : ''}.`;
  return new Chart(spec, summary, title);
}
