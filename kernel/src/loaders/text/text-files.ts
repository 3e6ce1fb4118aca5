/**
 * Your own texts: a folder of .txt files (one text per file, classes from subfolders when
 * asked), or a JSON Lines file (one JSON object per line). Bad items (unreadable files,
 * broken lines, empty texts, missing labels) are skipped and listed in `report`, never fatal;
 * a label column with a single class is an error, since nothing could be learned from it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TextCorpus } from '../../text/corpus';
import { check, checkOptionNames, PretextError } from '../../util/errors';
import { DataReport } from '../../data/report';

export interface TextFolderOptions {
  /** Class per file from its first-level subfolder, e.g. spam/a.txt → 'spam' (default false). */
  labelsFromFolders?: boolean;
  /** File name endings to read (default ['.txt']). */
  extensions?: string[];
  /** Dataset name (default: the folder's name). */
  name?: string;
}

export interface JsonlOptions {
  /** Field holding the text (default 'text'). */
  textField?: string;
  /** Field holding the class (string or number); absent = unlabeled. */
  labelField?: string;
  /** Dataset name (default: the file's name). */
  name?: string;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text of a file; Latin-1 when it is not valid UTF-8 (reported as converted). */
function readText(file: string, source: string, report: DataReport): string {
  const bytes = fs.readFileSync(file);
  try {
    return decoder.decode(bytes).replace(/^\ufeff/, '');
  } catch {
    report.note(source, 'not valid UTF-8; read as Latin-1', 'converted');
    return bytes.toString('latin1');
  }
}

const hasText = (s: string) => /[\p{L}\p{N}]/u.test(s);

/** Class indices in sorted class-name order; rejects a single class. */
function indexLabels(
  values: string[],
  what: string,
  fix: string
): { labels: Int32Array; classNames: string[] } {
  const classNames = [...new Set(values)].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true })
  );
  if (classNames.length < 2) {
    throw new PretextError(
      `${what} has only one class${classNames.length ? ` ('${classNames[0]}')` : ''}; a classifier needs at least two.`,
      fix
    );
  }
  const index = new Map(classNames.map((c, i) => [c, i]));
  return { labels: Int32Array.from(values, v => index.get(v)!), classNames };
}

function walk(dir: string, extensions: string[], out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) {
      continue;
    }
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(full, extensions, out);
    } else if (extensions.some(e => entry.name.toLowerCase().endsWith(e))) {
      out.push(full);
    }
  }
}

/** Reads every text file under `dir` (recursively, sorted by path). */
export function loadTextFolder(dir: string, options: TextFolderOptions = {}): TextCorpus {
  checkOptionNames('loadTextFolder', options, ['labelsFromFolders', 'extensions', 'name']);
  const { labelsFromFolders = false, extensions = ['.txt'] } = options;
  check(
    typeof dir === 'string' && fs.existsSync(dir) && fs.statSync(dir).isDirectory(),
    `loadTextFolder: '${String(dir)}' is not a folder.`,
    'Pass the path of a folder holding .txt files (relative paths start at the notebook).'
  );
  check(
    Array.isArray(extensions) &&
      extensions.length > 0 &&
      extensions.every(e => typeof e === 'string'),
    'loadTextFolder: extensions must be a non-empty list of file endings.',
    "Use e.g. extensions: ['.txt', '.md']."
  );
  const name = options.name ?? path.basename(path.resolve(dir));
  const files: string[] = [];
  walk(
    dir,
    extensions.map(e => e.toLowerCase()),
    files
  );
  files.sort();
  const report = new DataReport(`text folder ${name}`);
  report.total = files.length;
  const texts: string[] = [];
  const sources: string[] = [];
  const classes: string[] = [];
  for (const file of files) {
    const source = path.relative(dir, file);
    const parts = source.split(path.sep);
    if (labelsFromFolders && parts.length < 2) {
      report.note(source, 'not inside a class subfolder', 'skipped');
      continue;
    }
    let text: string;
    try {
      text = readText(file, source, report);
    } catch (error) {
      report.note(
        source,
        `unreadable (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
        'skipped'
      );
      continue;
    }
    if (!hasText(text)) {
      report.note(source, 'empty (no letters or digits)', 'skipped');
      continue;
    }
    texts.push(text);
    sources.push(source);
    if (labelsFromFolders) {
      classes.push(parts[0]);
    }
  }
  report.throwIfEmpty(
    texts.length,
    `Put text files ending in ${extensions.join(' or ')} in ${dir}${labelsFromFolders ? ', one subfolder per class' : ''}.`
  );
  const labeled = labelsFromFolders
    ? indexLabels(
        classes,
        `Text folder '${name}'`,
        'Put each class in its own subfolder (e.g. ham/, spam/), or load without labelsFromFolders.'
      )
    : undefined;
  return { name, texts, sources, report, ...(labeled ?? {}) };
}

/** Reads a JSON Lines file: one object per line with a text field and optionally a label. */
export function loadJsonl(file: string, options: JsonlOptions = {}): TextCorpus {
  checkOptionNames('loadJsonl', options, ['textField', 'labelField', 'name']);
  const { textField = 'text', labelField } = options;
  check(
    typeof file === 'string' && fs.existsSync(file) && fs.statSync(file).isFile(),
    `loadJsonl: '${String(file)}' is not a file.`,
    'Pass the path of a .jsonl file (relative paths start at the notebook).'
  );
  const name = options.name ?? path.basename(file).replace(/\.jsonl?$/i, '');
  const report = new DataReport(`JSON Lines ${name}`);
  const lines = readText(file, path.basename(file), report).split(/\r?\n/);
  const texts: string[] = [];
  const sources: string[] = [];
  const classes: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') {
      return;
    } // blank lines (a trailing newline) are not items
    report.total++;
    const source = `line ${i + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      report.note(source, 'not valid JSON', 'skipped');
      return;
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) {
      report.note(source, 'not a JSON object', 'skipped');
      return;
    }
    const fields = record as Record<string, unknown>;
    const text = fields[textField];
    if (typeof text !== 'string') {
      report.note(
        source,
        text === undefined ? `no '${textField}' field` : `'${textField}' is not a string`,
        'skipped'
      );
      return;
    }
    if (!hasText(text)) {
      report.note(source, 'empty text', 'skipped');
      return;
    }
    if (labelField !== undefined) {
      const label = fields[labelField];
      if (typeof label !== 'string' && typeof label !== 'number' && typeof label !== 'boolean') {
        report.note(source, `no usable '${labelField}' label`, 'skipped');
        return;
      }
      classes.push(String(label));
    }
    texts.push(text);
    sources.push(source);
  });
  report.throwIfEmpty(
    texts.length,
    `Each line must be a JSON object with a string '${textField}' field, e.g. {"${textField}": "hello"}.`
  );
  const labeled =
    labelField !== undefined
      ? indexLabels(
          classes,
          `Field '${labelField}' of ${path.basename(file)}`,
          `Check that labelField '${labelField}' is the class column, or leave labelField out to load unlabeled texts.`
        )
      : undefined;
  return { name, texts, sources, report, ...(labeled ?? {}) };
}
