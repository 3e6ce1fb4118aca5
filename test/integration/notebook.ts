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

/**
 * What every executed example must give a reader: no error or stderr output, every Pretext
 * MIME value stored as a JSON object (not a string), text/plain beside it, and a static SVG
 * for every chart and dashboard.
 */
export function checkReadableOutputs(notebook: { cells: Cell[] }): void {
  for (const output of outputsOf(notebook)) {
    if (output.output_type === 'error') {
      throw new Error(`error output: ${output.ename}: ${output.evalue}`);
    }
    if (output.output_type === 'stream' && output.name === 'stderr') {
      throw new Error(`stderr output: ${joined(output.text)}`);
    }
    for (const [mime, value] of Object.entries(output.data ?? {})) {
      if (!mime.startsWith('application/vnd.pretext.')) {
        continue;
      }
      if (!/^application\/vnd\.pretext\.[a-z]+\+json$/.test(mime)) {
        throw new Error(`unexpected MIME type ${mime}`);
      }
      if (typeof value !== 'object' || value === null) {
        throw new Error(`${mime} is stored as ${typeof value}, not an object`);
      }
      if (joined(output.data!['text/plain']).length === 0) {
        throw new Error(`${mime} output has no text/plain`);
      }
      const needsSvg = mime.endsWith('.chart+json') || mime.endsWith('.dashboard+json');
      if (needsSvg && !/^<svg[\s\S]*<\/svg>\s*$/.test(joined(output.data!['image/svg+xml']))) {
        throw new Error(`${mime} output has no SVG fallback`);
      }
    }
  }
}
