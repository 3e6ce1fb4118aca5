/** Reading executed notebooks in tests. */
import { readFileSync } from 'node:fs';

export interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}

export interface Cell {
  cell_type: string;
  source: string | string[];
  outputs?: Output[];
}

export function readNotebook(path: string): { cells: Cell[] } {
  return JSON.parse(readFileSync(path, 'utf8')) as { cells: Cell[] };
}

export const joined = (value: unknown): string =>
  Array.isArray(value) ? value.join('') : String(value ?? '');

export function outputsOf(notebook: { cells: Cell[] }): Output[] {
  return notebook.cells.flatMap(cell => cell.outputs ?? []);
}

/** The first rich output carrying `mime`, or undefined. */
export function findOutput(notebook: { cells: Cell[] }, mime: string): Output | undefined {
  return outputsOf(notebook).find(output => output.data && mime in output.data);
}
