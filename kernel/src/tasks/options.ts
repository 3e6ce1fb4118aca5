/** Option schemas shared by the pretext tasks: each task's options object is built from these. */
import type { LayersModel, Tensor2D } from '../backend/tf';
import { positiveInteger, positiveNumber } from '../options/fields';
import { checkedBy, optionsObject, says, z } from '../options/schema';
import { checkSeed } from '../util/random';

/**
 * A task's options object: the encoder first (checked by `checkEncoder`, e.g. for image
 * inputs), then the task's own options; any other name is refused with the closest known one.
 * `call` is the example the error shows when there is no options object, e.g. 'simclr({ encoder })'.
 */
export function taskOptions<Shape extends z.core.$ZodLooseShape>(
  what: string,
  call: string,
  checkEncoder: (encoder: unknown) => void,
  shape: Shape
) {
  return optionsObject(
    what,
    { encoder: checkedBy<LayersModel>(checkEncoder), ...shape },
    { problem: `${what} needs an options object with at least an encoder.`, fix: `Call ${call}.` }
  );
}

/** Seeds a task's head weights; any integer. */
export function seedOption(what: string) {
  return checkedBy<number>(seed => checkSeed(what, seed)).optional();
}

/** A view generator; checked, with the default for the encoder's inputs, by viewAugment. */
export function augmentOption<Augment>() {
  return z.custom<Augment>().optional();
}

/** A projection head's sizes: output (default given) and hidden (default: the encoder's features). */
export function projectionOptions(what: string, projectionDim: number) {
  return {
    projectionDim: positiveInteger(
      `${what} projectionDim`,
      `Pass e.g. projectionDim: ${projectionDim}.`
    ).default(projectionDim),
    hiddenDim: positiveInteger(
      `${what} hiddenDim`,
      "Pass e.g. hiddenDim: 128, or leave it out for the encoder's feature size."
    ).optional()
  };
}

/** A contrastive loss's temperature (the message of checkPositive). */
export function temperatureOption(what: string, temperature: number) {
  return positiveNumber(`${what} temperature`).default(temperature);
}

/** A share strictly between 0 and 1 (mask ratios and rates). */
export function ratioOption(what: string, name: string, example: number) {
  return z
    .number(
      says(
        v => `${what}: ${name} must be between 0 and 1, got ${String(v)}.`,
        `Use e.g. ${name}: ${example}.`
      )
    )
    .gt(0)
    .lt(1)
    .default(example);
}

/**
 * The feature-corruption options of the tabular tasks: the rate, the table's column groups and
 * the rows replacement values come from (featureCorruption and checkGroups check them against
 * the encoder).
 */
export function corruptionOptions(rate: number) {
  return {
    rate: z.custom<number>().default(rate),
    groups: z.custom<ArrayLike<number>>().optional(),
    bank: z.custom<Tensor2D>().optional()
  };
}

/** An EMA momentum in [0, 1). */
export function momentumOption(problem: (value: unknown) => string, fix: string, value: number) {
  return z.number(says(problem, fix)).min(0).lt(1).default(value);
}
