/**
 * The options every image encoder builder shares (input shape, optional embedding layer, batch
 * norm, seed, name), checked in one place so convEncoder and resnetEncoder reject bad values
 * with the same messages.
 */
import { check, checkOptionNames } from '../util/errors';

export const isPositiveInt = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v > 0;

export interface ImageEncoderCommon {
  inputShape: [number, number, number];
  embeddingDim?: number;
  batchNorm?: boolean;
  seed?: number;
  name?: string;
}

/**
 * Checks `options` (of builder `what`, e.g. 'convEncoder') and returns the shared settings with
 * defaults filled in; `known` lists every option name the builder accepts.
 */
export function imageEncoderCommon(
  what: string,
  options: ImageEncoderCommon,
  known: readonly string[],
  defaultName: string
): ImageEncoderCommon & { batchNorm: boolean; name: string } {
  check(
    typeof options === 'object' && options !== null,
    `${what} needs an options object.`,
    `Call ${what}({ inputShape: [28, 28, 1] }).`
  );
  checkOptionNames(what, options, known);
  const { inputShape, embeddingDim, seed } = options;
  check(
    Array.isArray(inputShape) && inputShape.length === 3 && inputShape.every(isPositiveInt),
    `${what}: inputShape must be [height, width, channels] (three positive integers), got ${JSON.stringify(inputShape)}.`,
    'Pass e.g. inputShape: [28, 28, 1] for grayscale digits or [32, 32, 3] for colour images.'
  );
  check(
    embeddingDim === undefined || isPositiveInt(embeddingDim),
    `${what}: embeddingDim must be a positive integer, got ${String(embeddingDim)}.`,
    'Pass e.g. embeddingDim: 128, or leave it out to use the last stage width.'
  );
  const batchNorm = options.batchNorm ?? false;
  check(
    typeof batchNorm === 'boolean',
    `${what}: batchNorm must be true or false, got ${String(batchNorm)}.`,
    'Pass batchNorm: true or batchNorm: false.'
  );
  check(
    seed === undefined || (typeof seed === 'number' && Number.isFinite(seed)),
    `${what}: seed must be a finite number, got ${String(seed)}.`,
    'Pass an integer seed such as 0, or leave it out.'
  );
  const name = options.name ?? defaultName;
  check(
    typeof name === 'string' && /^[A-Za-z][A-Za-z0-9_.-]*$/.test(name),
    `${what}: name must start with a letter and use letters, digits, '_', '.' or '-', got ${JSON.stringify(name)}.`,
    "Pass a name such as 'digits_encoder'."
  );
  return { inputShape, embeddingDim, batchNorm, seed, name };
}

/** A per-stage list such as filters or widths: non-empty, positive integers. */
export function checkStageList(
  what: string,
  option: string,
  value: unknown,
  example: string
): void {
  check(
    Array.isArray(value) && value.length > 0 && value.every(isPositiveInt),
    `${what}: ${option} must be a non-empty list of positive integers, got ${JSON.stringify(value)}.`,
    `Pass e.g. ${option}: ${example} (one entry per stage).`
  );
}
