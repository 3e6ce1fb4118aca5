import type { DataReport } from '../data/report';

/**
 * Raw texts as loaded, before tokenization: what the text loaders return. `textDataset()`
 * turns one into token-id tensors with a tokenizer.
 */
export interface TextCorpus {
  readonly name: string;
  readonly texts: string[];
  /** Class index per text; absent for unlabeled corpora. */
  readonly labels?: Int32Array;
  readonly classNames?: readonly string[];
  /** Where each text came from (a file, a line, a corpus group). */
  readonly sources: string[];
  /** What was skipped or converted while loading, and why. */
  readonly report: DataReport;
}
