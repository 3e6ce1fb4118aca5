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
import { l2Normalize } from '../features/embed';
import { mocoLoss } from '../losses/nt-xent';
import { projectionHead } from '../models/heads';
import { checkBatchShape, modelOutputDim } from '../models/shape';
import { inputIs, parseOptions, says, z } from '../options/schema';
import { check } from '../util/errors';
import { deriveSeed } from '../util/random';
import { checkImageEncoder, describeAugment, viewAugment } from './common';
import { defineTask } from './define';
import { emaUpdate, targetCopy } from './momentum';
import {
  augmentOption,
  momentumOption,
  projectionOptions,
  seedOption,
  taskOptions,
  temperatureOption
} from './options';
import type { PretextTask } from './task';

// The loss lives with NT-Xent (it is NT-Xent with a queue); re-exported where MoCo users look.
export { mocoLoss };

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

const mocoOptions = inputIs<MocoOptions>()(
  taskOptions(
    'moco',
    'moco({ encoder: convEncoder({ inputShape: [28, 28, 1] }) })',
    encoder => checkImageEncoder('moco', encoder),
    {
      augment: augmentOption<ImageAugment>(),
      ...projectionOptions('moco', MOCO_DEFAULTS.projectionDim),
      queueSize: z
        .int(
          says(
            v => `moco: queueSize must be a positive integer, got ${String(v)}.`,
            'Pass e.g. queueSize: 4096 (at least the batch size, well below the number of images).'
          )
        )
        .positive()
        .default(MOCO_DEFAULTS.queueSize),
      temperature: temperatureOption('moco', MOCO_DEFAULTS.temperature),
      momentum: momentumOption(
        v => `moco: momentum must be in [0, 1), got ${String(v)}.`,
        'Use e.g. momentum: 0.99 (0.999 for runs of many thousands of steps).',
        MOCO_DEFAULTS.momentum
      ),
      seed: seedOption('moco')
    }
  )
);

export function moco(options: MocoOptions): MocoTask {
  const { encoder, seed, temperature, queueSize, momentum, projectionDim, ...given } = parseOptions(
    mocoOptions,
    options
  );
  const featureDim = modelOutputDim(encoder);
  const augment = viewAugment('moco', given.augment);
  const hiddenDim = given.hiddenDim ?? featureDim;
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

  // Views and keys in prepare (seeded, eager, no gradient); the objective is the query side.
  const stages = {
    prepare: (batch: Tensor, stepSeed: number): Tensor[] => {
      checkBatchShape(encoder, batch);
      const n = batch.shape[0];
      check(
        n <= queueSize,
        `moco: the batch has ${n} images but the queue holds only ${queueSize}; a step's keys must fit in the queue.`,
        `Use batchSize ${queueSize} or less, or pass queueSize: ${Math.max(n, 4096)}.`
      );
      return tf.tidy(() => {
        const images = batch as Tensor4D;
        const queryView = augment(images, deriveSeed(stepSeed, 1));
        const keyView = augment(images, deriveSeed(stepSeed, 2));
        // Key networks run in inference mode and are not in the optimiser's list, so no
        // gradient reaches them (stop-gradient); with batch norm they use moving statistics,
        // so no batch statistics leak between query and key (what MoCo's shuffling BN avoids).
        const k = l2Normalize(keyHead.apply(keyEncoder.apply(keyView)) as Tensor2D);
        pending?.dispose();
        pending = tf.keep(k.clone());
        return [queryView, k];
      });
    },
    objective: ([queryView, k]: Tensor[]): Scalar =>
      tf.tidy(() => {
        const q = head.apply(encoder.apply(queryView, { training: true }), {
          training: true
        }) as Tensor2D;
        return mocoLoss(q, k as Tensor2D, queue as unknown as Tensor2D, temperature, filled);
      })
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

  return defineTask({
    method: 'moco',
    label: 'MoCo',
    encoder,
    heads: { head },
    targets: { key_encoder: keyEncoder, key_head: keyHead },
    buffers: { queue, queue_pointer: pointer, queue_filled: filled },
    stages,
    loss: (batch, stepSeed) => tf.tidy(() => stages.objective(stages.prepare(batch, stepSeed))),
    afterStep: () => {
      emaUpdate(keyEncoder, encoder, momentum);
      emaUpdate(keyHead, head, momentum);
      if (pending === undefined) {
        return;
      }
      const keys = pending;
      pending = undefined;
      tf.tidy(() => push(keys));
      keys.dispose();
    },
    config: {
      queueSize,
      temperature,
      momentum,
      featureDim,
      hiddenDim,
      projectionDim,
      encoder: encoder.name,
      augment: describeAugment(augment)
    },
    onDispose: () => {
      pending?.dispose();
      pending = undefined;
    },
    fields: {
      head,
      keyEncoder,
      keyHead,
      queue,
      queueSize,
      temperature,
      momentum,
      augment,
      queueState: () => ({ pointer: pointer.dataSync()[0], filled: filled.dataSync()[0] })
    }
  });
}
