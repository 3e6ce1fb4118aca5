/**
 * Numeric arrays as a dataset: nested rows (number[][]) or a flat Float32Array with a shape.
 * Ragged rows, non-numbers and NaN/Inf are caught here with their positions, instead of
 * surfacing as NaN losses many steps later.
 */
import { tf, type Tensor } from '../backend/tf';
import { check, checkOptionNames, PretextError } from '../util/errors';
import type { Dataset } from './dataset';
import { DataReport } from './report';
import { checkLabelCount, checkLabelValues, describeValue } from './validate';

export interface ArraysOptions {
  /** Shape of the data, first axis = examples; required for a flat Float32Array (e.g. [N, F]). */
  shape?: number[];
  /** One class per example: integers from 0, or strings (classes sorted by name). */
  labels?: ArrayLike<number> | readonly string[];
  /** Names of integer classes (default '0', '1', ...). */
  classNames?: readonly string[];
  /** Rows holding NaN/Inf: 'reject' (default, an error naming them) or 'skip' (reported). */
  nonFinite?: 'reject' | 'skip';
  name?: string;
}

const SHOWN = 5;
const where = (cells: [number, number][]) =>
  cells
    .slice(0, SHOWN)
    .map(([r, c]) => `row ${r}, column ${c}`)
    .join('; ') + (cells.length > SHOWN ? ` and ${cells.length - SHOWN} more` : '');

/** A dataset from numeric arrays; `report` lists skipped rows (nonFinite: 'skip'). */
export function fromArrays(
  values: readonly (readonly number[])[] | Float32Array,
  options: ArraysOptions = {}
): Dataset & { report: DataReport } {
  checkOptionNames('fromArrays', options, ['shape', 'labels', 'classNames', 'nonFinite', 'name']);
  const name = options.name ?? 'arrays';
  const nonFinite = options.nonFinite ?? 'reject';
  check(
    nonFinite === 'reject' || nonFinite === 'skip',
    `nonFinite must be 'reject' or 'skip', got '${String(nonFinite)}'.`,
    "Use nonFinite: 'skip' to drop rows with NaN/Inf (reported), or fix the data."
  );
  let flat: Float32Array;
  let shape: number[];
  if (values instanceof Float32Array) {
    check(
      Array.isArray(options.shape) && options.shape.length >= 2,
      `${name}: a flat Float32Array needs a shape such as [examples, features].`,
      `Pass { shape: [N, ${values.length > 0 ? 'F' : '0'}] } with N x F = ${values.length}.`
    );
    shape = options.shape;
    check(
      shape.every(d => Number.isInteger(d) && d > 0),
      `${name}: shape [${shape.join(', ')}] must hold positive integers.`,
      'Pass e.g. shape: [1000, 12].'
    );
    const size = shape.reduce((a, b) => a * b, 1);
    check(
      size === values.length,
      `${name}: shape [${shape.join(', ')}] holds ${size} values but the array has ${values.length}.`,
      `Fix the shape: [${values.length / (size / shape[0])} examples?, ${shape.slice(1).join(', ')}] must multiply to ${values.length}.`
    );
    flat = values;
  } else {
    check(
      Array.isArray(values) && values.length > 0,
      `${name}: expected a non-empty array of rows (number[][]) or a Float32Array.`,
      'Pass e.g. [[1, 2], [3, 4]].'
    );
    const width = Array.isArray(values[0]) ? values[0].length : -1;
    const ragged: string[] = [];
    values.forEach((row, r) => {
      if (!Array.isArray(row)) {
        ragged.push(`row ${r} is not an array`);
      } else if (row.length !== width) {
        ragged.push(`row ${r} has ${row.length}`);
      }
    });
    if (ragged.length > 0) {
      throw new PretextError(
        `${name}: rows differ in length (row 0 has ${width} values; ${ragged.slice(0, SHOWN).join(', ')}${ragged.length > SHOWN ? ` and ${ragged.length - SHOWN} more` : ''}).`,
        'Give every row the same number of values (pad or drop the ragged rows).'
      );
    }
    check(width > 0, `${name}: rows are empty.`, 'Give each row at least one value.');
    flat = new Float32Array(values.length * width);
    const notNumbers: [number, number][] = [];
    values.forEach((row, r) =>
      row.forEach((v: number, c: number) => {
        if (typeof v !== 'number') {
          notNumbers.push([r, c]);
        }
        flat[r * width + c] = v;
      })
    );
    if (notNumbers.length > 0) {
      const [r, c] = notNumbers[0];
      throw new PretextError(
        `${name}: ${notNumbers.length} value(s) are not numbers (${where(notNumbers)}; the first is ${JSON.stringify(values[r][c])}).`,
        'Convert the values to numbers first, or load the data with loadTable, which infers and encodes column types.'
      );
    }
    shape = options.shape ?? [values.length, width];
    check(
      shape.reduce((a, b) => a * b, 1) === flat.length && shape[0] === values.length,
      `${name}: shape [${shape.join(', ')}] does not fit ${values.length} rows of ${width} values.`,
      `Leave shape out, or pass [${values.length}, ...] multiplying to ${flat.length}.`
    );
  }

  const n = shape[0];
  const per = flat.length / n;
  const bad: [number, number][] = [];
  const badRows = new Set<number>();
  for (let i = 0; i < flat.length; i++) {
    if (!Number.isFinite(flat[i])) {
      const r = Math.floor(i / per);
      bad.push([r, i % per]);
      badRows.add(r);
    }
  }
  const report = new DataReport(name);
  report.total = n;
  if (bad.length > 0 && nonFinite === 'reject') {
    throw new PretextError(
      `${name}: ${bad.length} NaN or infinite value(s) in ${badRows.size} row(s) (${where(bad)}).`,
      "Fix or impute them, or pass nonFinite: 'skip' to drop those rows (they are reported)."
    );
  }
  for (const r of badRows) {
    report.note(`row ${r}`, 'NaN or infinite value', 'skipped');
  }
  const keep = Int32Array.from({ length: n }, (_, i) => i).filter(i => !badRows.has(i));
  report.throwIfEmpty(keep.length, 'Every row has NaN or infinite values; fix the data.');

  let labels: Int32Array | undefined;
  let classNames = options.classNames;
  if (options.labels !== undefined) {
    const given = options.labels;
    check(
      given !== null && typeof given === 'object' && typeof given.length === 'number',
      `${name}: labels must be an array, got ${describeValue(given)}.`,
      'Pass exactly one label per example (row).'
    );
    if (
      given.length > 0 &&
      Array.from(given as ArrayLike<unknown>).every(l => typeof l === 'string')
    ) {
      checkLabelCount(name, given.length, n);
      const names = [...new Set(given as readonly string[])].sort();
      const index = new Map(names.map((c, i) => [c, i]));
      labels = Int32Array.from(given as readonly string[], l => index.get(l)!);
      classNames = classNames ?? names;
    } else {
      // Checked before Int32Array.from, which would silently turn 1.5 into 1.
      checkLabelValues(name, given, n, undefined);
      labels = Int32Array.from(given as ArrayLike<number>);
    }
    checkLabelValues(name, labels, n, classNames);
    check(
      new Set(labels).size >= 2,
      `${name}: every label is the same class, so there is nothing to classify.`,
      'Pass labels with at least two classes, or leave labels out for unlabeled data.'
    );
    labels = labels.filter((_, i) => !badRows.has(i));
  }
  let data = flat;
  if (badRows.size > 0) {
    data = new Float32Array(keep.length * per);
    keep.forEach((r, k) => data.set(flat.subarray(r * per, (r + 1) * per), k * per));
  }
  const inputs: Tensor = tf.tensor(data, [keep.length, ...shape.slice(1)], 'float32');
  return { name, inputs, labels, classNames: labels ? classNames : undefined, report };
}
