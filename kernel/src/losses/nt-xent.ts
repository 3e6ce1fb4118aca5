/**
 * NT-Xent, the contrastive loss of SimCLR and SCARF, and — given a queue of negatives — MoCo's
 * InfoNCE. Pure, differentiable tensor code: called inside the optimiser's gradient tape.
 */
import { tf, type Scalar, type Tensor, type Tensor1D, type Tensor2D } from '../backend/tf';
import { isTracing } from '../backend/graph/trace';
import { fusedCrossEntropyOn, softmaxCrossEntropyRows } from '../backend/native/cross-entropy';
import { l2Normalize } from '../features/embed';
import { check, checkPositive } from '../util/errors';

/**
 * Constants the loss would otherwise upload on every call (the diagonal mask, the temperature,
 * the queue's slot indices), cached while a training run holds them: the engine's optimiser
 * holds them for the run and frees them when it is disposed. Outside a run (a user's own loop,
 * tests) each call makes and frees its own, as before. Bounded: past MAX_CONSTANTS keys (many
 * batch sizes or temperatures at once) new ones are simply not cached.
 */
const MAX_CONSTANTS = 32;
const constants = new Map<string, Tensor>();
let holders = 0;

/** Starts caching the loss constants; call the returned function once to release them. */
export function holdLossConstants(): () => void {
  holders++;
  let held = true;
  return () => {
    if (!held) {
      return;
    }
    held = false;
    holders--;
    if (holders === 0) {
      tf.dispose([...constants.values()]);
      constants.clear();
    }
  };
}

/** The cached constant for `key`, or a fresh one (freed by the caller's tidy) when not held. */
function constant<T extends Tensor>(key: string, make: () => T): T {
  const hit = constants.get(key);
  if (hit) {
    return hit as T;
  }
  // A traced step's constants live in its graph; a cached stand-in would outlive the trace.
  if (holders === 0 || constants.size >= MAX_CONSTANTS || isTracing()) {
    return make();
  }
  const made = tf.keep(tf.tidy(make));
  constants.set(key, made);
  return made;
}

/** Negatives kept from earlier batches (MoCo's queue). */
export interface NegativeQueue {
  /** [size, dim] keys, already L2-normalised. */
  keys: Tensor2D;
  /** How many of the first rows hold real keys (default all); the rest are masked out. */
  filled?: number | Tensor;
}

/**
 * NT-Xent (normalised temperature-scaled cross-entropy).
 *
 * Without a queue (SimCLR): z1[i] and z2[i] are the projections of two views of example i. All
 * 2N rows are L2-normalised, every pair is scored by cosine similarity / temperature, and each
 * of the 2N anchors does a (2N-1)-way classification of its partner view against the other
 * 2N-2 rows (its own similarity is masked out with a large negative). The loss is the mean
 * cross-entropy over the 2N anchors:  mean_a [ -s(a, pos(a)) + log sum_{b != a} exp(s(a, b)) ].
 *
 * With a queue (MoCo's InfoNCE): z1 are the queries, z2 their keys, and the negatives are the
 * queue's keys instead of the batch: mean_i [ -s(q_i, k_i) + log( exp s(q_i, k_i) +
 * sum_{j < filled} exp s(q_i, n_j) ) ]. No gradient flows into the keys or the queue when they
 * come from variables outside the optimiser's list, which is MoCo's stop-gradient.
 */
export function ntXentLoss(
  z1: Tensor2D,
  z2: Tensor2D,
  temperature: number,
  queue?: NegativeQueue
): Scalar {
  checkPositive('NT-Xent temperature', temperature);
  check(
    z1 instanceof tf.Tensor && z2 instanceof tf.Tensor && z1.rank === 2 && z2.rank === 2,
    'NT-Xent needs two [batch, dim] tensors of projections.',
    'Pass the projections of the two views as 2-D tensors of the same shape.'
  );
  check(
    z1.shape[0] === z2.shape[0] && z1.shape[1] === z2.shape[1],
    `NT-Xent views differ in shape: [${z1.shape.join(', ')}] vs [${z2.shape.join(', ')}].`,
    'Encode the two views of the same batch, so row i of each is the same example.'
  );
  if (queue !== undefined) {
    return queueLoss(z1, z2, queue, temperature);
  }
  check(
    z1.shape[0] >= 2,
    `NT-Xent needs at least 2 examples per batch (got ${z1.shape[0]}): the other examples are the negatives.`,
    'Use a batch size of 2 or more (SimCLR works best with 128 or more).'
  );
  const n = z1.shape[0];
  return tf.tidy(() => {
    const t = constant(`temperature:${temperature}`, () => tf.scalar(temperature));
    const z = l2Normalize(tf.concat([z1, z2], 0));
    const logits = tf.div(tf.matMul(z, z, false, true), t);
    // Self-similarity out of the softmax: exp(-1e9) is exactly 0 in float32.
    const diagonal = constant(`diagonal:${2 * n}`, () => tf.mul(tf.eye(2 * n), 1e9));
    const masked = tf.sub(logits, diagonal) as Tensor2D;
    // Row a's partner is a + N (first half) or a - N (second half): its class in the softmax.
    const partners = constant(`partners:${2 * n}`, () =>
      tf.tensor1d(
        Int32Array.from({ length: 2 * n }, (_, a) => (a + n) % (2 * n)),
        'int32'
      )
    );
    return tf.mean(softmaxCrossEntropyRows(tf, masked, partners)) as Scalar;
  });
}

function queueLoss(q: Tensor2D, k: Tensor2D, queue: NegativeQueue, temperature: number): Scalar {
  const { keys, filled } = queue;
  check(
    keys instanceof tf.Tensor && keys.rank === 2 && keys.shape[1] === q.shape[1],
    `mocoLoss: queries and keys must be [batch, dim] of one shape and the queue [size, dim] of the same dim, got [${q.shape.join(', ')}], [${k.shape.join(', ')}] and [${keys.shape.join(', ')}].`,
    'Pass the projections of the two views and the queue of the same projection head.'
  );
  const size = keys.shape[0];
  return tf.tidy(() => {
    const t = constant(`temperature:${temperature}`, () => tf.scalar(temperature));
    const qn = l2Normalize(q);
    const kn = l2Normalize(k);
    const positive = tf.sum(tf.mul(qn, kn), 1, true);
    let negative = tf.matMul(qn, keys, false, true);
    if (filled !== undefined) {
      // Empty slots get -1e9: exp(-1e9 / T) is exactly 0 in float32, so they drop out.
      const slots = constant(`slots:${size}`, () => tf.range(0, size, 1, 'int32'));
      const big = constant('1e9', () => tf.scalar(1e9));
      const empty = tf.cast(tf.logicalNot(tf.less(slots, tf.cast(filled, 'int32'))), 'float32');
      negative = tf.sub(negative, tf.mul(tf.expandDims(empty, 0), big));
    }
    const logits = tf.div(tf.concat([positive, negative], 1), t) as Tensor2D;
    if (!fusedCrossEntropyOn()) {
      // tfjs's ops alone: with the positive logit at hand this skips the one-hot product
      // (5-10% of a batch-256, queue-4096 step with the fused kernels off).
      const positiveLogit = tf.div(tf.squeeze(positive, [1]), t);
      return tf.mean(tf.sub(tf.logSumExp(logits, 1), positiveLogit)) as Scalar;
    }
    // Every query's positive is class 0, the column in front of the negatives.
    const firsts = constant(`firsts:${q.shape[0]}`, () =>
      tf.zeros([q.shape[0]], 'int32')
    ) as Tensor1D;
    return tf.mean(softmaxCrossEntropyRows(tf, logits, firsts)) as Scalar;
  });
}

/**
 * MoCo's InfoNCE by its paper's name: ntXentLoss(q, k, temperature, { keys: negatives, filled }).
 * q and k are [N, D] (normalised here); `negatives` is [K, D] of already normalised keys.
 */
export function mocoLoss(
  q: Tensor2D,
  k: Tensor2D,
  negatives: Tensor2D,
  temperature: number,
  filled?: number | Tensor
): Scalar {
  checkPositive('MoCo temperature', temperature);
  check(
    [q, k, negatives].every(t => t instanceof tf.Tensor && t.rank === 2) &&
      q.shape.join() === k.shape.join(),
    `mocoLoss: queries and keys must be [batch, dim] of one shape and the queue [size, dim] of the same dim, got [${q.shape.join(', ')}], [${k.shape.join(', ')}] and [${negatives.shape.join(', ')}].`,
    'Pass the projections of the two views and the queue of the same projection head.'
  );
  return ntXentLoss(q, k, temperature, { keys: negatives, filled });
}
