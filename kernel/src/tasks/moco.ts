/**
 * MoCo v2 (He et al., 2020; Chen et al., 2020): contrastive learning with a queue of negatives.
 * A query encoder + projection head (trained) embeds one view; a key encoder + head, a momentum
 * (EMA) copy of the query networks, embeds the other view. The loss is InfoNCE: each query must
 * pick its own key out of [that key, every key in the queue]. After each step the batch's keys
 * are pushed into the queue (FIFO), so the negatives come from many past batches rather than
 * from the current one — which is why MoCo works with the small batches a CPU can afford,
 * where SimCLR's in-batch negatives are too few.
 *
 * The momentum update happens in afterStep(), after the optimiser step, and the keys of step t
 * are computed in loss() of step t with the key networks as updated after step t-1: the same
 * order as the paper (update the key encoder, then encode the keys), shifted by one call.
 */
import {
  tf,
  type LayersModel,
  type Scalar,
  type Tensor,
  type Tensor2D,
  type Tensor4D,
  type Variable
} from '../backend/tf';
import type { ImageAugment } from '../augment/augment';
import { l2Normalize } from '../eval/embed';
import { session } from '../guide/session';
import { projectionHead } from '../models/heads';
import { checkBatchShape, modelOutputDim } from '../models/shape';
import { modelVariables } from '../models/variables';
import { check, checkOptionNames, checkPositive } from '../util/errors';
import { deriveSeed } from '../util/random';
import { checkImageEncoder, describeAugment, namedVariables, viewAugment } from './common';
import { emaUpdate, targetCopy } from './momentum';
import type { PretextTask } from './task';

export interface MocoOptions {
  /** The query encoder being trained; stays with the caller (dispose() leaves it alone). */
  encoder: LayersModel;
  /** View generator (default simclrAugment()). */
  augment?: ImageAugment;
  /** Projection output size (default 64). */
  projectionDim?: number;
  /** Projection hidden size (default: the encoder's feature size). */
  hiddenDim?: number;
  /**
   * Negatives kept in the queue (default 4096, MoCo's CIFAR setting scaled down). Must be at
   * least the batch size. Keep it well below the number of unlabeled images: a queue longer
   * than an epoch holds older keys of the very image being queried, which then count as
   * negatives.
   */
  queueSize?: number;
  /** InfoNCE temperature (default 0.2, MoCo v2's). */
  temperature?: number;
  /**
   * EMA momentum of the key networks, in [0, 1) (default 0.99). The paper's 0.999 suits
   * hundreds of thousands of steps; in a notebook's few hundred the key encoder would barely
   * leave its random start.
   */
  momentum?: number;
  /** Seeds the projection head's initial weights. */
  seed?: number;
}

export interface MocoTask extends PretextTask {
  readonly method: 'moco';
  /** The query projection MLP; discarded after pretraining. */
  readonly head: LayersModel;
  /** Momentum (EMA) copies of the encoder and head; never optimised. */
  readonly keyEncoder: LayersModel;
  readonly keyHead: LayersModel;
  /** [queueSize, projectionDim] L2-normalised keys; not trainable. */
  readonly queue: Variable;
  readonly queueSize: number;
  readonly temperature: number;
  readonly momentum: number;
  readonly augment: ImageAugment;
  /** Where the next key goes and how many slots hold keys (read from the state variables). */
  queueState(): { pointer: number; filled: number };
}

export const MOCO_DEFAULTS = {
  projectionDim: 64,
  queueSize: 4096,
  temperature: 0.2,
  momentum: 0.99
} as const;

const OPTION_NAMES = [
  'encoder',
  'augment',
  'projectionDim',
  'hiddenDim',
  'queueSize',
  'temperature',
  'momentum',
  'seed'
];

/**
 * MoCo's InfoNCE loss. q and k are [N, D] (normalised here); `negatives` is [K, D] of already
 * normalised keys, of which only the first `filled` rows count (default all K). Each query does
 * a (1 + filled)-way classification of its positive key against the negatives:
 * mean_i [ -q_i.k_i / T + log( exp(q_i.k_i / T) + sum_{j < filled} exp(q_i.n_j / T) ) ].
 * No gradient flows into k or the negatives when they come from variables outside the
 * optimiser's list (MoCo's key networks and queue), which is MoCo's stop-gradient.
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
      q.shape.join() === k.shape.join() &&
      negatives.shape[1] === q.shape[1],
    `mocoLoss: queries and keys must be [batch, dim] of one shape and the queue [size, dim] of the same dim, got [${q.shape.join(', ')}], [${k.shape.join(', ')}] and [${negatives.shape.join(', ')}].`,
    'Pass the projections of the two views and the queue of the same projection head.'
  );
  const size = negatives.shape[0];
  return tf.tidy(() => {
    const qn = l2Normalize(q);
    const kn = l2Normalize(k);
    const positive = tf.sum(tf.mul(qn, kn), 1, true);
    let negative = tf.matMul(qn, negatives, false, true);
    if (filled !== undefined) {
      // Empty slots get -1e9: exp(-1e9 / T) is exactly 0 in float32, so they drop out.
      const slots = tf.range(0, size, 1, 'int32');
      const empty = tf.cast(tf.logicalNot(tf.less(slots, tf.cast(filled, 'int32'))), 'float32');
      negative = tf.sub(negative, tf.mul(tf.expandDims(empty, 0), 1e9));
    }
    const logits = tf.div(tf.concat([positive, negative], 1), temperature);
    const positiveLogit = tf.div(tf.squeeze(positive, [1]), temperature);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), positiveLogit)) as Scalar;
  });
}

const isPositiveInt = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0;

export function moco(options: MocoOptions): MocoTask {
  check(
    typeof options === 'object' && options !== null,
    'moco needs an options object with at least an encoder.',
    'Call moco({ encoder: convEncoder({ inputShape: [28, 28, 1] }) }).'
  );
  checkOptionNames('moco', options, OPTION_NAMES);
  const { encoder, seed } = options;
  checkImageEncoder('moco', encoder);
  const featureDim = modelOutputDim(encoder);
  const augment = viewAugment('moco', options.augment);
  const temperature = options.temperature ?? MOCO_DEFAULTS.temperature;
  checkPositive('moco temperature', temperature);
  const queueSize = options.queueSize ?? MOCO_DEFAULTS.queueSize;
  check(
    isPositiveInt(queueSize),
    `moco: queueSize must be a positive integer, got ${String(queueSize)}.`,
    'Pass e.g. queueSize: 4096 (at least the batch size, well below the number of images).'
  );
  const momentum = options.momentum ?? MOCO_DEFAULTS.momentum;
  check(
    typeof momentum === 'number' && momentum >= 0 && momentum < 1,
    `moco: momentum must be in [0, 1), got ${String(momentum)}.`,
    'Use e.g. momentum: 0.99 (0.999 for runs of many thousands of steps).'
  );
  const projectionDim = options.projectionDim ?? MOCO_DEFAULTS.projectionDim;
  const hiddenDim = options.hiddenDim ?? featureDim;
  const head = projectionHead(featureDim, {
    hidden: hiddenDim,
    output: projectionDim,
    seed,
    name: `${encoder.name}_moco_head`
  });
  const keyEncoder = targetCopy(encoder, `${encoder.name}_moco_key`);
  const keyHead = targetCopy(head, `${encoder.name}_moco_key_head`);
  // Non-trainable state: the optimiser never sees it, the checkpoint does (stateVariables).
  const queue = tf.variable(tf.zeros([queueSize, projectionDim]), false);
  const pointer = tf.variable(tf.scalar(0, 'int32'), false);
  /**
   * How many slots hold real keys. Until the queue has been filled once, the rest are zeros;
   * counted as negatives they would each add exp(0) = 1 to the softmax denominator of every
   * query — with 4096 slots and batch 128 that fake mass dominates the first 32 steps and then
   * shrinks, so the loss and its gradient scale drift for reasons unrelated to learning. (The
   * paper's random-vector filling instead pushes queries away from noise.) Masking makes every
   * negative a real image's key; the first step, with an empty queue, has loss 0 and no gradient.
   */
  const filled = tf.variable(tf.scalar(0, 'int32'), false);
  /** Keys of the last loss() call, waiting for afterStep() to push them. */
  let pending: Tensor2D | undefined;
  let disposed = false;

  const loss = (batch: Tensor, stepSeed: number): Scalar => {
    check(
      !disposed,
      'This MoCo task has been disposed (its heads and queue are gone).',
      'Create a new task with moco({ encoder }) to keep training the same encoder.'
    );
    checkBatchShape(encoder, batch);
    const n = batch.shape[0];
    check(
      n <= queueSize,
      `moco: the batch has ${n} images but the queue holds only ${queueSize}; a step's keys must fit in the queue.`,
      `Use batchSize ${queueSize} or less, or pass queueSize: ${Math.max(n, 4096)}.`
    );
    const images = batch as Tensor4D;
    return tf.tidy(() => {
      const queryView = augment(images, deriveSeed(stepSeed, 1));
      const keyView = augment(images, deriveSeed(stepSeed, 2));
      const q = head.apply(encoder.apply(queryView, { training: true }), {
        training: true
      }) as Tensor2D;
      // Key networks run in inference mode and are not in the optimiser's list, so no
      // gradient reaches them (stop-gradient); with batch norm they use moving statistics,
      // so no batch statistics leak between query and key (what MoCo's shuffling BN avoids).
      const k = l2Normalize(keyHead.apply(keyEncoder.apply(keyView)) as Tensor2D);
      pending?.dispose();
      pending = tf.keep(k);
      return mocoLoss(q, k, queue as Tensor as Tensor2D, temperature, filled);
    });
  };

  /** Writes `keys` into the ring at the pointer, wrapping past the end (FIFO). */
  const push = (keys: Tensor2D): void => {
    const n = keys.shape[0];
    const at = pointer.dataSync()[0];
    const room = queueSize - at; // slots from the pointer to the end
    const pieces =
      n <= room
        ? [tf.slice(queue, [0, 0], [at, -1]), keys, tf.slice(queue, [at + n, 0], [-1, -1])]
        : // Past the end: keys[room:] wrap round to the front, keys[:room] fill the tail.
          [
            tf.slice(keys, [room, 0], [-1, -1]),
            tf.slice(queue, [n - room, 0], [at - (n - room), -1]),
            tf.slice(keys, [0, 0], [room, -1])
          ];
    queue.assign(tf.concat(pieces.filter(p => p.shape[0] > 0)));
    pointer.assign(tf.scalar((at + n) % queueSize, 'int32'));
    filled.assign(tf.scalar(Math.min(queueSize, filled.dataSync()[0] + n), 'int32'));
  };

  session.recordTask('moco');
  return {
    method: 'moco',
    encoder,
    head,
    keyEncoder,
    keyHead,
    queue,
    queueSize,
    temperature,
    momentum,
    augment,
    trainableVariables: () => [...modelVariables(encoder), ...modelVariables(head)],
    loss,
    afterStep: () => {
      check(!disposed, 'This MoCo task has been disposed.', 'Create a new task with moco().');
      emaUpdate(keyEncoder, encoder, momentum);
      emaUpdate(keyHead, head, momentum);
      if (pending === undefined) return;
      const keys = pending;
      pending = undefined;
      tf.tidy(() => push(keys));
      keys.dispose();
    },
    queueState: () => ({ pointer: pointer.dataSync()[0], filled: filled.dataSync()[0] }),
    stateVariables: () => ({
      ...namedVariables({ encoder, head, key_encoder: keyEncoder, key_head: keyHead }),
      queue,
      queue_pointer: pointer,
      queue_filled: filled
    }),
    config: () => ({
      method: 'moco',
      queueSize,
      temperature,
      momentum,
      featureDim,
      hiddenDim,
      projectionDim,
      encoder: encoder.name,
      augment: describeAugment(augment)
    }),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      pending?.dispose();
      pending = undefined;
      for (const model of [head, keyEncoder, keyHead]) model.dispose();
      tf.dispose([queue, pointer, filled]);
    }
  };
}
