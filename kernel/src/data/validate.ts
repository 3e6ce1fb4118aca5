/**
 * The one dataset validator: every public entry that takes a `Dataset` (splitting, training,
 * evaluation, monitors) checks it here, with the messages fromArrays gives, so a hand-built
 * dataset fails on entry with its problem named instead of deep inside a split or a kNN vote.
 */
import { tf } from '../backend/tf';
import { check, PretextError } from '../util/errors';
import type { Dataset } from './dataset';

export interface ValidateOptions {
  /** 'required': labels must be there (evaluation); 'optional' (default): checked if present. */
  labels?: 'required' | 'optional';
}

const SHOWN = 5;

/** A value as a message shows it: strings quoted, so '7' never reads as the number 7. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value)}`;
  }
  if (value === null || value === undefined) {
    return String(value);
  }
  if (typeof value === 'object') {
    return Array.isArray(value) ? 'an array' : 'an object';
  }
  return String(value);
}

export function checkLabelCount(name: string, labels: number, examples: number): void {
  check(
    labels === examples,
    `${name}: ${labels} labels for ${examples} examples.`,
    'Pass exactly one label per example (row).'
  );
}

/**
 * Checks one label per example, each an integer class from 0, and enough class names. Shared
 * with fromArrays, so both say the same thing about the same mistake.
 */
export function checkLabelValues(
  name: string,
  labels: ArrayLike<unknown>,
  examples: number,
  classNames: readonly unknown[] | undefined
): void {
  checkLabelCount(name, labels.length, examples);
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (typeof l === 'string') {
      throw new PretextError(
        `${name}: label ${describeValue(l)} at row ${i} is a class name, not a class index (an integer from 0).`,
        'Map names to indices with fromArrays(values, { labels: names }) (classes sorted by name), or pass labels as integers 0, 1, 2, ... with classNames.'
      );
    }
    check(
      typeof l === 'number' && Number.isInteger(l) && l >= 0,
      `${name}: label ${describeValue(l)} at row ${i} is not a class index (an integer from 0).`,
      'Pass integer classes 0, 1, 2, ... or class names as strings.'
    );
    if (l > max) {
      max = l;
    }
  }
  if (classNames === undefined) {
    return;
  }
  check(
    Array.isArray(classNames) && classNames.every(c => typeof c === 'string'),
    `${name}: classNames must be an array of strings.`,
    "Pass one name per class, e.g. classNames: ['cat', 'dog']."
  );
  check(
    classNames.length >= max + 1,
    `${name}: labels go up to ${max} but only ${classNames.length} class names were given.`,
    'Pass one class name per class.'
  );
}

/**
 * Throws a PretextError unless `ds` is a usable dataset: a live tensor of at least one
 * example, and (when present, or required) one integer class index per example.
 * `where` names the entry point, e.g. 'splitForSsl', so the message says who refused it.
 */
export function validateDataset(ds: Dataset, where: string, options: ValidateOptions = {}): void {
  check(
    ds !== null && typeof ds === 'object' && ds.inputs instanceof tf.Tensor,
    `${where}: expected a dataset { name, inputs: tensor [count, ...example shape], labels? }, got ${describeValue(ds)}${ds && typeof ds === 'object' ? ` whose inputs are ${describeValue((ds as Dataset).inputs)}` : ''}.`,
    'Pass a dataset from a loader (loadMnist, fromArrays, loadTable, ...) or from splitForSsl().'
  );
  const name = typeof ds.name === 'string' && ds.name ? ds.name : 'dataset';
  check(
    !ds.inputs.isDisposed,
    `${where}: the inputs of dataset '${name}' were disposed.`,
    'Load the data again (disposeDataset frees it for good).'
  );
  check(
    ds.inputs.rank >= 1,
    `${where}: dataset '${name}' has a scalar for inputs; the first axis must count the examples.`,
    'Pass inputs shaped [count, ...example shape].'
  );
  const size = ds.inputs.shape[0];
  check(size > 0, `${where}: dataset '${name}' is empty.`, 'Load some data first.');
  if (ds.labels === undefined) {
    check(
      options.labels !== 'required',
      `${where}: dataset '${name}' has no labels.`,
      'Pass a labeled dataset (e.g. split.labeled or split.test from splitForSsl()).'
    );
    check(
      ds.classNames === undefined,
      `${where}: dataset '${name}' has classNames but no labels.`,
      'Pass labels (one class index per example) or leave classNames out.'
    );
    return;
  }
  check(
    ds.labels !== null &&
      typeof ds.labels === 'object' &&
      typeof (ds.labels as ArrayLike<unknown>).length === 'number',
    `${where}: labels of '${name}' must be an array of class indices, got ${describeValue(ds.labels)}.`,
    'Pass labels as an Int32Array (or number[]) with one class index per example.'
  );
  checkLabelValues(`${where}: ${name}`, ds.labels, size, ds.classNames);
}

/** Positions shown in a message: the first few, then how many more. */
export function listPositions(what: string, positions: readonly (number | string)[]): string {
  return (
    `${what} ${positions.slice(0, SHOWN).join(', ')}` +
    (positions.length > SHOWN ? ` and ${positions.length - SHOWN} more` : '')
  );
}
