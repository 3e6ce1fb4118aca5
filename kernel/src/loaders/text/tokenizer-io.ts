/**
 * Saving a tokenizer next to the encoder it was trained with: an encoder's token ids mean
 * nothing without the vocabulary that produced them, so both travel in the run folder.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeJsonAtomic } from '../../runs/files';
import { openRunStore } from '../../runs/store';
import { check, PretextError } from '../../util/errors';
import { WordPieceTokenizer } from '../../text/tokenizer';

/** A file path, or the run whose folder holds `tokenizer.json`. */
export type TokenizerLocation = string | { runId: string; root?: string };

const FILE = 'tokenizer.json';

function resolveFile(where: TokenizerLocation): string {
  if (typeof where === 'string') {
    return where;
  }
  check(
    where !== null && typeof where === 'object' && typeof where.runId === 'string',
    'Say where the tokenizer goes: a file path or { runId }.',
    "Pass e.g. 'tokenizer.json' or { runId: result.runId }."
  );
  return path.join(openRunStore(where.root).get(where.runId).dir, FILE);
}

/** Writes the tokenizer as JSON (atomically); returns the file path. */
export function saveTokenizer(tokenizer: WordPieceTokenizer, where: TokenizerLocation): string {
  check(
    tokenizer instanceof WordPieceTokenizer,
    'saveTokenizer() needs a tokenizer from trainTokenizer() as its first argument.',
    'Pass the tokenizer, e.g. saveTokenizer(tokenizer, { runId: result.runId }).'
  );
  const file = resolveFile(where);
  writeJsonAtomic(file, tokenizer.toJSON());
  return file;
}

/** Reads a tokenizer saved with saveTokenizer(). */
export function loadTokenizer(where: TokenizerLocation): WordPieceTokenizer {
  const file = resolveFile(where);
  if (!fs.existsSync(file)) {
    throw new PretextError(
      `No tokenizer at ${file}.`,
      typeof where === 'string'
        ? 'Check the path, or save one first with saveTokenizer(tokenizer, path).'
        : `Save it from the notebook that trained run ${where.runId}: saveTokenizer(tokenizer, { runId: '${where.runId}' }).`
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new PretextError(
      `The tokenizer file ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      'Save the tokenizer again with saveTokenizer().'
    );
  }
  return WordPieceTokenizer.fromJSON(json);
}
