/**
 * Feature corruption for tables (SCARF, VIME): a random subset of each row's features is
 * replaced by values drawn from each feature's empirical marginal, i.e. the same column of
 * another row. Unlike noise, a drawn value is always one the column really takes (a valid
 * category, a plausible amount), so the corrupted row stays on the data's support.
 *
 * Features come in groups (see TableSchema.groups): a one-hot block or a value with its
 * missing flag is corrupted as one unit with the SAME donor row, so a corrupted row never
 * holds two categories at once. Everything is batched tensor ops with seeded tf.random, so the
 * same seed gives the same corruption.
 */
import { tf, type Tensor, type Tensor2D } from '../backend/tf';
import { inputIs, optionsObject, parseOptions, says, z } from '../options/schema';
import { check } from '../util/errors';
import { deriveSeed } from '../util/random';

export interface FeatureCorruptionOptions {
  /** Share of feature groups replaced per row, in (0, 1) (default 0.6, SCARF's value). */
  rate?: number;
  /**
   * 'exact': exactly round(rate x groups) groups per row (SCARF); 'bernoulli': each group
   * independently with probability `rate` (VIME). Default 'exact'.
   */
  mode?: 'exact' | 'bernoulli';
  /** Source group (0..G-1) of each feature column; default: every column its own group. */
  groups?: ArrayLike<number>;
  /**
   * Rows to draw replacement values from (e.g. a sample of training rows). Default: the other
   * rows of the batch, which is SCARF's choice and needs no extra memory.
   */
  bank?: Tensor2D;
}

/** The corrupted rows and the per-feature mask (1 = replaced) that produced them. */
export interface Corruption {
  corrupted: Tensor2D;
  mask: Tensor2D;
}

export type FeatureCorruption = ((rows: Tensor2D, seed: number) => Corruption) & {
  readonly rate: number;
  readonly mode: 'exact' | 'bernoulli';
  readonly groupCount: number;
};

/** Checks a groups array against the feature count; returns it as Int32Array and the group count. */
export function checkGroups(
  groups: ArrayLike<number> | undefined,
  features?: number
): { groups?: Int32Array; count: number } {
  if (groups === undefined) {
    return { count: features ?? 0 };
  }
  const g = Int32Array.from(groups);
  check(
    g.length > 0 && Array.from(groups).every(v => Number.isInteger(v) && v >= 0),
    'groups must list a non-negative integer group per feature column.',
    'Pass the schema of the table: groups: data.schema.groups.'
  );
  const count = Math.max(...g) + 1;
  const used = new Set(g);
  check(
    used.size === count,
    `groups skip group number(s) ${Array.from({ length: count }, (_, i) => i)
      .filter(i => !used.has(i))
      .join(', ')}: every group 0..${count - 1} needs at least one column.`,
    'Pass the schema of the table: groups: data.schema.groups.'
  );
  if (features !== undefined) {
    check(
      g.length === features,
      `groups has ${g.length} entries but the rows have ${features} features.`,
      'Pass the groups of the schema that encoded these rows (data.schema.groups), or leave groups out.'
    );
  }
  return { groups: g, count };
}

const featureCorruptionOptions = inputIs<FeatureCorruptionOptions>()(
  optionsObject(
    'featureCorruption',
    {
      rate: z
        .number(
          says(
            v => `Corruption rate must be between 0 and 1 (exclusive), got ${String(v)}.`,
            'Use e.g. rate: 0.6 (SCARF) or 0.3 (VIME).'
          )
        )
        .gt(0)
        .lt(1)
        .default(0.6),
      mode: z
        .enum(
          ['exact', 'bernoulli'],
          says(
            v => `Corruption mode must be 'exact' or 'bernoulli', got '${String(v)}'.`,
            "Use 'exact' (SCARF: a fixed share per row) or 'bernoulli' (VIME: independent coin flips)."
          )
        )
        .default('exact'),
      // Checked (and turned into an Int32Array) by checkGroups in featureCorruption().
      groups: z.custom<ArrayLike<number>>().optional(),
      bank: z
        .custom<Tensor2D>(
          v => v instanceof tf.Tensor && v.rank === 2 && v.shape[0] >= 1 && !v.isDisposed,
          says(
            'The corruption bank must be a live [rows, features] tensor.',
            'Pass e.g. bank: split.unlabeled.inputs (the training rows).'
          )
        )
        .optional()
    },
    {
      problem: v => `featureCorruption options must be an object, got ${String(v)}.`,
      fix: "Pass e.g. { rate: 0.6, mode: 'exact' }."
    }
  )
);

export function featureCorruption(options: FeatureCorruptionOptions = {}): FeatureCorruption {
  const { rate, mode, bank, ...given } = parseOptions(featureCorruptionOptions, options);
  const { groups, count } = checkGroups(given.groups);

  const corrupt = (rows: Tensor2D, seed: number): Corruption => {
    check(
      rows instanceof tf.Tensor && rows.rank === 2,
      `Feature corruption needs [rows, features] tensors, got rank ${(rows as Tensor2D)?.rank}.`,
      'Pass a batch of encoded table rows, e.g. data.inputs.'
    );
    const [n, f] = rows.shape;
    const g = groups ? count : f;
    check(
      !groups || groups.length === f,
      `groups has ${groups?.length} entries but the rows have ${f} features.`,
      'Pass the groups of the schema that encoded these rows (data.schema.groups).'
    );
    check(
      bank === undefined || bank.shape[1] === f,
      `The corruption bank has ${bank?.shape[1]} features but the rows have ${f}.`,
      'Draw the bank from rows encoded with the same schema.'
    );
    check(
      bank !== undefined || n >= 2,
      `Feature corruption draws replacements from other rows of the batch, but the batch has ${n} row.`,
      'Use a batch of 2 or more rows, or pass a bank of training rows.'
    );
    return tf.tidy(() => {
      const u = tf.randomUniform([n, g], 0, 1, 'float32', deriveSeed(seed, 1));
      let groupMask: Tensor2D;
      if (mode === 'bernoulli') {
        groupMask = tf.cast(tf.less(u, rate), 'float32') as Tensor2D;
      } else {
        // The k smallest draws per row pick exactly k groups, uniformly among all k-subsets.
        const k = Math.min(g, Math.max(1, Math.round(rate * g)));
        const picked = tf.topk(tf.neg(u), k).indices;
        groupMask = tf.sum(tf.oneHot(picked, g), 1).toFloat() as Tensor2D;
      }
      // Donor row per (row, group): uniform over the bank, or over the OTHER rows of the batch.
      const v = tf.randomUniform([n, g], 0, 1, 'float32', deriveSeed(seed, 2));
      let donor: Tensor;
      if (bank) {
        donor = tf.minimum(tf.floor(tf.mul(v, bank.shape[0])), bank.shape[0] - 1);
      } else {
        const offset = tf.minimum(tf.floor(tf.mul(v, n - 1)), n - 2);
        const self = tf.range(0, n).reshape([n, 1]);
        donor = tf.mod(tf.add(tf.add(self, 1), offset), n);
      }
      let mask = groupMask;
      let donorPerFeature = donor.toInt();
      if (groups) {
        const index = tf.tensor1d(groups, 'int32');
        mask = tf.gather(groupMask, index, 1) as Tensor2D;
        donorPerFeature = tf.gather(donorPerFeature, index, 1);
      }
      // Value of column j in the donor row: flat index donor * f + j.
      const source = bank ?? rows;
      const flatIndex = tf.add(tf.mul(donorPerFeature, f), tf.range(0, f, 1, 'int32'));
      const drawn = tf.gather(tf.reshape(source, [-1]), flatIndex.toInt()) as unknown as Tensor2D;
      const corrupted = tf.where(tf.cast(mask, 'bool'), drawn, rows) as Tensor2D;
      return { corrupted, mask };
    });
  };
  return Object.assign(corrupt, { rate, mode, groupCount: count });
}
