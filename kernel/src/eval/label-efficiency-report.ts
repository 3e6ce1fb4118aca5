/**
 * The label-efficiency report: per label budget and protocol, test accuracy over seeds, shown
 * as a table whose caption states the whole protocol, and as a chart (render/specs.ts).
 */
import { inspect } from 'node:util';
import type { BackendInfo } from '../backend/tf';
import { Chart } from '../render/chart';
import type { Displayable, MimeBundle } from '../render/mime';
import { labelEfficiencySpec } from '../render/specs';
import { Table } from '../render/table';
import { check } from '../util/errors';

export interface LabelBudget {
  /** e.g. '1%', '10 per class', '100%'. */
  label: string;
  /** Labeled examples per seed's subset (the same for every seed). */
  labeled: number;
}

export interface EfficiencyResult {
  budget: string;
  labeled: number;
  protocol: string;
  /** Test accuracy per seed, in seed order. */
  accuracies: number[];
  mean: number;
  std: number;
}

export interface LabelEfficiencyProtocol {
  dataset: string;
  testExamples: number;
  poolExamples: number;
  seeds: number[];
  epochs: number;
  minSteps: number;
  batchSize: number;
  learningRate: number;
  probeEpochs: number;
  /** Fine-tuning settings beyond the shared ones ({} for plain). */
  fineTuneRecipe: Record<string, number | boolean>;
  augment: unknown;
  encoder: string;
  environment: BackendInfo;
  seconds: number;
}

/** How far the best pretrained protocol is ahead of training from scratch at one budget. */
export interface PretrainingMargin {
  budget: string;
  /** The pretrained protocol with the highest mean accuracy (probe or fine-tuned). */
  protocol: string;
  accuracy: number;
  scratch: number;
  /** accuracy - scratch: positive when pretraining paid. */
  margin: number;
  /**
   * Whether the margin is larger than the seeds' spread (both stds), not just positive; false
   * with a single seed, where no spread was measured.
   */
  beyondSpread: boolean;
}

export const SCRATCH_PROTOCOL = 'supervised from scratch';

export const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
export const std = (xs: number[]) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));

export class LabelEfficiencyReport implements Displayable {
  constructor(
    readonly results: EfficiencyResult[],
    readonly protocol: LabelEfficiencyProtocol
  ) {}

  /** Mean test accuracy of one protocol at one label budget. */
  accuracy(budget: string, protocol: string): number {
    const row = this.results.find(r => r.budget === budget && r.protocol === protocol);
    check(
      row,
      `No result for budget '${budget}' and protocol '${protocol}'.`,
      `Budgets: ${[...new Set(this.results.map(r => r.budget))].join(', ')}; protocols: ${[...new Set(this.results.map(r => r.protocol))].join(', ')}.`
    );
    return row.mean;
  }

  /**
   * Per label budget that has a from-scratch row, the best pretrained protocol against it: the
   * answer to "did pretraining beat training on my few labels?".
   */
  margins(): PretrainingMargin[] {
    const budgets = [...new Set(this.results.map(r => r.budget))];
    return budgets.flatMap(budget => {
      const rows = this.results.filter(r => r.budget === budget);
      const scratch = rows.find(r => r.protocol === SCRATCH_PROTOCOL);
      const pretrained = rows.filter(r => r.protocol !== SCRATCH_PROTOCOL);
      if (!scratch || pretrained.length === 0) {
        return [];
      }
      const best = pretrained.reduce((a, b) => (b.mean > a.mean ? b : a));
      const margin = best.mean - scratch.mean;
      return [
        {
          budget,
          protocol: best.protocol,
          accuracy: best.mean,
          scratch: scratch.mean,
          margin,
          beyondSpread: this.protocol.seeds.length > 1 && Math.abs(margin) > best.std + scratch.std
        }
      ];
    });
  }

  /** The margins in one sentence per budget, e.g. for a notebook's conclusion. */
  marginSummary(): string {
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    return this.margins()
      .map(m => {
        const verdict =
          m.margin > 0 ? 'pretraining is ahead' : 'pretraining does not beat from scratch';
        const spread =
          this.protocol.seeds.length < 2
            ? ', one seed'
            : m.beyondSpread
              ? ', beyond the seed spread'
              : ', within the seed spread';
        const points = `${m.margin >= 0 ? '+' : ''}${(m.margin * 100).toFixed(1)}`;
        return `${m.budget} labels: ${m.protocol} ${pct(m.accuracy)} vs from scratch ${pct(m.scratch)} (${points} points${spread}): ${verdict}.`;
      })
      .join('\n');
  }

  private caption(): string {
    const p = this.protocol;
    return (
      `${p.dataset}: class-balanced label subsets drawn from the ${p.poolExamples}-example pretraining pool, the same subsets for every protocol; ` +
      `accuracy on ${p.testExamples} held-out test examples; mean ± sample std over seeds [${p.seeds.join(', ')}]. ` +
      `Fine-tuning and from scratch: encoder '${p.encoder}' + linear head, Adam ${p.learningRate}, batch ${p.batchSize}, ${p.epochs} epochs and at least ${p.minSteps} steps, ` +
      `augmentation ${JSON.stringify(p.augment)}. ${recipeText(p.fineTuneRecipe, p.learningRate)} ` +
      `Linear probe: frozen features scaled to unit length, then standardised, ${p.probeEpochs} epochs. ` +
      `Backend ${p.environment.backend} (TensorFlow ${p.environment.tensorflow}, ${p.environment.device}); ${p.seconds.toFixed(0)} s.`
    );
  }

  table(): Table {
    return new Table(
      [
        { name: 'budget', label: 'labels' },
        { name: 'labeled', label: 'labels used', format: 'number' },
        { name: 'protocol', label: 'protocol' },
        { name: 'mean', label: 'test accuracy (mean)', format: 'percent' },
        { name: 'std', label: '± std', format: 'percent' },
        { name: 'perSeed', label: 'per seed' }
      ],
      this.results.map(r => ({
        budget: r.budget,
        labeled: r.labeled,
        protocol: r.protocol,
        mean: r.mean,
        std: r.std,
        perSeed: r.accuracies.map(a => `${(a * 100).toFixed(1)}%`).join(', ')
      })),
      'Label efficiency',
      this.caption()
    );
  }

  chart(): Chart {
    const rows = this.results.map(r => ({
      budget: r.budget,
      order: this.results.findIndex(x => x.budget === r.budget),
      protocol: r.protocol,
      mean: r.mean,
      low: Math.max(0, r.mean - r.std),
      high: Math.min(1, r.mean + r.std)
    }));
    const spec = labelEfficiencySpec(rows);
    const summary = this.results
      .map(
        r =>
          `${r.budget} · ${r.protocol}: ${(r.mean * 100).toFixed(1)}% ± ${(r.std * 100).toFixed(1)}`
      )
      .join('\n');
    return new Chart(spec, `Label efficiency\n${summary}`, 'Label efficiency');
  }

  toBundle(): MimeBundle {
    return this.table().toBundle();
  }

  [inspect.custom](): string {
    return this.table().toBundle()['text/plain'];
  }
}

/** The fine-tuning recipe in words, for the report's caption. */
function recipeText(recipe: Record<string, number | boolean>, learningRate: number): string {
  if (Object.keys(recipe).length === 0) {
    return 'Fine-tuning recipe: plain (as from scratch).';
  }
  const parts: string[] = [];
  if (recipe.standardize) {
    parts.push("head on features standardised with the labeled subset's mean and std");
  }
  if (recipe.probeSteps) {
    const rate = recipe.probeLearningRate ?? learningRate;
    parts.push(
      `LP-FT: the head alone on the frozen encoder for the first ${recipe.probeSteps} steps at Adam ${rate}`
    );
  }
  const encoderRate = recipe.encoderLearningRate ?? learningRate;
  parts.push(`encoder at Adam ${encoderRate} and head at ${learningRate}`);
  if (recipe.warmupSteps) {
    parts.push(`${recipe.warmupSteps} warmup steps`);
  }
  if (recipe.cosine) {
    parts.push('cosine decay to 0');
  }
  return `Fine-tuning recipe: ${parts.join(', ')}; from scratch: plain.`;
}
