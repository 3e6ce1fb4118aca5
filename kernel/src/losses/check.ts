/** Shape checks shared by the two-view losses. */
import type { Tensor2D } from '../backend/tf';
import { check } from '../util/errors';

/** Both embeddings must be [batch, dim] of one shape: row i of each is the same example. */
export function checkPair(what: string, z1: Tensor2D, z2: Tensor2D): void {
  check(
    z1.rank === 2 && z2.rank === 2 && z1.shape.join() === z2.shape.join(),
    `${what}: both embeddings must be [batch, dim] of the same shape, got [${z1.shape.join(', ')}] and [${z2.shape.join(', ')}].`,
    'Pass the two views’ embeddings from the same head.'
  );
}
