/**
 * Joint-embedding methods: two views of each example, one encoder and one head over both (in
 * one forward pass, so batch-norm statistics cover all 2N views), and a loss on the two
 * embeddings. SimCLR, series-contrastive, SCARF, VICReg and Barlow Twins are this with another
 * view generator or loss; swapping either keeps the rest, e.g. SimCLR's views + VICReg's loss:
 *   jointEmbeddingTask({ method: 'simclr-vicreg', encoder, augment: simclrAugment(),
 *     head: projectionHead(modelOutputDim(encoder)), loss: (z1, z2) => vicregLoss(z1, z2) })
 */
import { tf, type LayersModel, type Scalar, type Tensor, type Tensor2D } from '../backend/tf';
import type { InputAugment } from '../augment/augment';
import { checkBatchShape } from '../models/shape';
import { check } from '../util/errors';
import { deriveSeed } from '../util/random';
import { checkEncoder } from './common';
import { basics, defineTask, type DefinedTask, type TaskBasics } from './define';

export interface JointEmbeddingDefinition<
  Fields extends object = object,
  Method extends string = string
> extends TaskBasics<Fields, Method> {
  /** One augmentation, applied twice per batch (seeds derived 1 and 2) ... */
  augment?: InputAugment;
  /** ... or a function giving both views, e.g. [batch, corrupted(batch)] (SCARF). */
  views?: (batch: Tensor, seed: number) => [Tensor, Tensor];
  /** Maps encoder features to the embeddings the loss compares; freed by dispose(). */
  head: LayersModel;
  /** The head's role in checkpoint names (default 'head'). */
  headRole?: string;
  /** The loss on the two views' embeddings, row i of each from the same example. */
  loss: (z1: Tensor2D, z2: Tensor2D) => Scalar;
  /** Rejects unusable batches (default: the encoder's input shape and at least 2 rows). */
  checkBatch?: (batch: Tensor) => void;
}

/** A task from two views, an encoder, a head and a loss on the two embeddings. */
export function jointEmbeddingTask<Fields extends object = object, Method extends string = string>(
  definition: JointEmbeddingDefinition<Fields, Method>
): DefinedTask<Fields, Method> {
  const { method, encoder, augment, head } = definition;
  checkEncoder(method, encoder);
  check(
    (augment === undefined) !== (definition.views === undefined),
    `${method}: pass exactly one of augment (applied twice) and views (both views).`,
    'Use e.g. augment: simclrAugment(), or views: (batch, seed) => [batch, myAugment(batch, seed)].'
  );
  check(
    typeof definition.loss === 'function',
    `${method}: loss must be a function (z1, z2) => scalar.`,
    'Pass e.g. loss: (z1, z2) => vicregLoss(z1, z2).'
  );
  const views =
    definition.views ??
    ((batch: Tensor, seed: number): [Tensor, Tensor] => [
      augment!(batch, deriveSeed(seed, 1)),
      augment!(batch, deriveSeed(seed, 2))
    ]);
  const checkBatch =
    definition.checkBatch ??
    ((batch: Tensor) => {
      checkBatchShape(encoder, batch);
      check(
        batch.shape[0] >= 2,
        `${definition.label ?? method} needs at least 2 examples per batch (got ${batch.shape[0]}).`,
        'Use batchSize 2 or more (64-512 is typical).'
      );
    });
  // Views are drawn in prepare (seeded, eager); the objective is the deterministic rest.
  const stages = {
    prepare: (batch: Tensor, seed: number): Tensor[] => {
      checkBatch(batch);
      return tf.tidy(() => [tf.concat(views(batch, seed), 0)]);
    },
    objective: ([both]: Tensor[]): Scalar =>
      tf.tidy(() => {
        const n = both.shape[0] / 2;
        const features = encoder.apply(both, { training: true }) as Tensor;
        const z = head.apply(features, { training: true }) as Tensor2D;
        return definition.loss(tf.slice(z, [0, 0], [n, -1]), tf.slice(z, [n, 0], [n, -1]));
      })
  };
  return defineTask({
    ...basics(definition),
    heads: { [definition.headRole ?? 'head']: head },
    stages,
    loss: (batch, seed) =>
      tf.tidy(() => {
        const [both] = stages.prepare(batch, seed);
        return stages.objective([both]);
      })
  });
}
