/**
 * k-nearest-neighbour classification on embeddings: the standard cheap monitor of a
 * self-supervised representation (no training, so it measures the features themselves).
 */
import { tf, type Tensor2D } from '../backend/tf';
import type { Dataset } from '../data/dataset';
import { describeValue } from '../data/validate';
import { inputIs, optionsObject, parseOptions, says, z } from '../options/schema';
import { check } from '../util/errors';
import { l2Normalize } from '../features/embed';

export interface KnnOptions {
  /** Neighbours that vote (default 20, as in the solo-learn / InstDisc kNN monitors). */
  k?: number;
  /** Number of classes (default: largest label + 1). */
  numClasses?: number;
  /**
   * 'similarity' (default): each neighbour votes exp(cosine / temperature), so closer
   * neighbours count more (Wu et al., 2018). 'majority': one vote each.
   */
  weighting?: 'similarity' | 'majority';
  /** Temperature of the similarity weighting (default 0.07). */
  temperature?: number;
  /** Test rows per similarity block (default: enough for ~16M similarities per block). */
  chunkSize?: number;
}

/** The kNN options; k and chunkSize are checked against the bank's size in knnClassify(). */
function knnOptions(what: string) {
  return inputIs<KnnOptions>()(
    optionsObject(
      what,
      {
        k: z
          .int(
            says(v => `kNN: k must be a positive integer, got ${String(v)}.`, 'Pass e.g. k: 20.')
          )
          .min(1)
          .default(20),
        numClasses: z.custom<number>().optional(),
        weighting: z
          .enum(
            ['similarity', 'majority'],
            says(
              v => `kNN: weighting must be 'similarity' or 'majority', got ${JSON.stringify(v)}.`,
              "Pass weighting: 'similarity' (closer neighbours count more) or 'majority'."
            )
          )
          .default('similarity'),
        temperature: z
          .number(
            says(
              v => `kNN: temperature must be a positive number, got ${String(v)}.`,
              'Pass e.g. temperature: 0.07.'
            )
          )
          .positive()
          .default(0.07),
        chunkSize: z
          .int(
            says(
              v => `kNN: chunkSize must be a positive integer, got ${String(v)}.`,
              'Leave chunkSize out, or pass e.g. 256.'
            )
          )
          .min(1)
          .optional()
      },
      {
        problem: v => `${what} options must be an object, got ${String(v)}.`,
        fix: 'Pass e.g. { k: 20 }.'
      }
    )
  );
}

const KNN_CLASSIFY_OPTIONS = knnOptions('knnClassify');
const KNN_ACCURACY_OPTIONS = knnOptions('knnAccuracy');

function checkEmbedding(what: string, emb: Tensor2D): void {
  check(
    emb instanceof tf.Tensor && !emb.isDisposed && emb.rank === 2,
    `${what} must be a live 2-D tensor [examples, features]${emb instanceof tf.Tensor ? `, got shape [${emb.shape.join(', ')}]` : ''}.`,
    'Compute embeddings with embed(encoder, images), which returns [examples, features].'
  );
  check(
    emb.shape[0] > 0 && emb.shape[1] > 0,
    `${what} is empty (shape [${emb.shape.join(', ')}]).`,
    'Embed at least one example with a non-empty feature vector.'
  );
}

/** Checks labels are whole numbers in [0, numClasses) and returns numClasses. */
export function checkLabels(
  what: string,
  labels: ArrayLike<number>,
  rows: number,
  numClasses?: number
): number {
  check(
    labels !== null && typeof labels === 'object' && typeof labels.length === 'number',
    `${what} must be an array of class indices (e.g. Int32Array).`,
    'Pass the labels as an Int32Array or number[] with one class index per row.'
  );
  check(
    labels.length === rows,
    `${what} has ${labels.length} entries but the embeddings have ${rows} rows.`,
    'Pass exactly one label per embedded example, in the same order.'
  );
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    check(
      Number.isInteger(y) && y >= 0,
      `${what}[${i}] is ${y}, not a class index (a whole number >= 0).`,
      'Encode classes as 0, 1, 2, ...'
    );
    if (y > max) {
      max = y;
    }
  }
  const classes = numClasses ?? max + 1;
  check(
    Number.isInteger(classes) && classes >= 1,
    `numClasses must be a positive integer, got ${String(numClasses)}.`,
    'Pass numClasses as the number of classes, e.g. 10 for digits.'
  );
  check(
    max < classes,
    `${what} contains class ${max} but numClasses is ${classes}.`,
    `Pass numClasses: ${max + 1} or more, or fix the labels.`
  );
  return classes;
}

function checkFinite(what: string, x: Tensor2D): void {
  const bad = tf.tidy(() => tf.logicalNot(tf.all(tf.isFinite(x))).dataSync()[0]);
  check(
    !bad,
    `${what} contain NaN or Infinity.`,
    'The encoder produced non-finite features: check the training loss for NaN and the input data.'
  );
}

/**
 * Checks k against a labelled bank before any embedding is computed: k must be a positive
 * integer no larger than the bank, so what a caption records is what ran.
 */
export function checkBankK(where: string, k: unknown, bank: Dataset): void {
  check(
    typeof k === 'number' && Number.isInteger(k) && k >= 1,
    `${where}: k must be a positive integer, got ${describeValue(k)}.`,
    'Pass e.g. k: 20.'
  );
  const size = bank.inputs.shape[0];
  check(
    k <= size,
    `${where}: k = ${k} is larger than the ${size} labelled examples in the neighbour bank '${bank.name}'.`,
    `Use k <= ${size} (e.g. k: ${Math.min(20, size)}), or label more examples (a larger labelFraction or labelsPerClass in splitForSsl).`
  );
}

/**
 * Predicts a class for each row of testEmb from its k most cosine-similar rows of trainEmb.
 * Similarities are computed in blocks of test rows, so memory stays bounded on large sets.
 */
export function knnClassify(
  trainEmb: Tensor2D,
  trainLabels: ArrayLike<number>,
  testEmb: Tensor2D,
  options: KnnOptions = {}
): Int32Array {
  const { k, weighting, temperature, ...given } = parseOptions(KNN_CLASSIFY_OPTIONS, options);
  checkEmbedding('Train embeddings', trainEmb);
  checkEmbedding('Test embeddings', testEmb);
  const [nTrain, dim] = trainEmb.shape;
  const nTest = testEmb.shape[0];
  check(
    testEmb.shape[1] === dim,
    `Train embeddings have ${dim} features but test embeddings have ${testEmb.shape[1]}.`,
    'Embed train and test data with the same encoder.'
  );
  const numClasses = checkLabels('Train labels', trainLabels, nTrain, given.numClasses);
  check(
    k <= nTrain,
    `kNN: k = ${k} is larger than the ${nTrain} labelled training examples.`,
    `Use k <= ${nTrain} (e.g. k: ${Math.min(20, nTrain)}) or embed more labelled examples.`
  );
  // Enough test rows per block for ~16M similarities.
  const chunkSize = given.chunkSize ?? Math.max(1, Math.floor(16_000_000 / nTrain));
  checkFinite('Train embeddings', trainEmb);
  checkFinite('Test embeddings', testEmb);

  const labels = Int32Array.from(trainLabels);
  const predictions = new Int32Array(nTest);
  const train = l2Normalize(trainEmb);
  try {
    const votes = new Float64Array(numClasses);
    for (let start = 0; start < nTest; start += chunkSize) {
      const rows = Math.min(chunkSize, nTest - start);
      const [sims, idx] = tf.tidy(() => {
        const test = l2Normalize(tf.slice(testEmb, [start, 0], [rows, dim]));
        const { values, indices } = tf.topk(tf.matMul(test, train, false, true), k, true);
        return [values.dataSync(), indices.dataSync()];
      });
      for (let r = 0; r < rows; r++) {
        votes.fill(0);
        for (let j = 0; j < k; j++) {
          const s = sims[r * k + j];
          votes[labels[idx[r * k + j]]] +=
            weighting === 'majority' ? 1 : Math.exp((s - 1) / temperature);
        }
        // Ties go to the class whose nearest neighbour is closest (topk is sorted).
        let best = labels[idx[r * k]];
        for (let c = 0; c < numClasses; c++) {
          if (votes[c] > votes[best]) {
            best = c;
          }
        }
        predictions[start + r] = best;
      }
    }
  } finally {
    train.dispose();
  }
  return predictions;
}

/** Fraction of test rows whose kNN prediction equals the test label, in [0, 1]. */
export function knnAccuracy(
  trainEmb: Tensor2D,
  trainLabels: ArrayLike<number>,
  testEmb: Tensor2D,
  testLabels: ArrayLike<number>,
  options: KnnOptions = {}
): number {
  parseOptions(KNN_ACCURACY_OPTIONS, options);
  checkEmbedding('Test embeddings', testEmb);
  check(
    testLabels !== null && typeof testLabels === 'object' && testLabels.length === testEmb.shape[0],
    `Test labels have ${testLabels?.length} entries but the test embeddings have ${testEmb.shape[0]} rows.`,
    'Pass exactly one label per embedded test example, in the same order.'
  );
  const predictions = knnClassify(trainEmb, trainLabels, testEmb, options);
  let correct = 0;
  for (let i = 0; i < predictions.length; i++) {
    if (predictions[i] === testLabels[i]) {
      correct++;
    }
  }
  return correct / predictions.length;
}
