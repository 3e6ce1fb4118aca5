/** Checks shared by the tabular pretext tasks (SCARF, VIME). */
import type { LayersModel, Tensor } from '../backend/tf';
import { checkBatchShape, modelInputShape } from '../models/shape';
import { check } from '../util/errors';
import { checkEncoder } from './common';

/** The encoder must be a LayersModel taking flat [features] vectors. */
export function checkTabularEncoder(
  method: string,
  encoder: unknown
): asserts encoder is LayersModel {
  checkEncoder(
    method,
    encoder,
    'mlpEncoder({ inputDim: data.inputs.shape[1], hidden: [128, 128] })'
  );
  const shape = modelInputShape(encoder);
  check(
    shape.length === 1,
    `${method}: encoder '${encoder.name}' takes inputs of shape [${shape.join(', ')}], not table rows.`,
    `${method} corrupts table rows: use an encoder for flat feature vectors, e.g. mlpEncoder({ inputDim: ${shape.length === 1 ? shape[0] : 'F'}, hidden: [128, 128] }).`
  );
}

/** A batch of rows the encoder accepts, with at least `min` rows. */
export function checkRows(method: string, encoder: LayersModel, batch: Tensor, min: number): void {
  checkBatchShape(encoder, batch, 'Rows');
  check(
    batch.shape[0] >= min,
    `${method} needs at least ${min} rows per batch (got ${batch.shape[0]}).`,
    'Use a larger batchSize (64-512 is typical for tables).'
  );
}
