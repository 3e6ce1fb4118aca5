/**
 * The scores a model card records: the results tables of evaluate() and labelEfficiency(),
 * each score named with the protocol that produced it (as the Hub's model-index wants them).
 */
import type { MimeBundle } from '../render/mime';

/** Anything with a results table can be attached to the card (evaluate(), labelEfficiency()). */
export interface ScoredReport {
  table(): { toBundle(): MimeBundle };
}

/** A score for the card's YAML header, with the protocol that produced it. */
export interface CardMetric {
  type: string;
  value: number;
  name: string;
  /** Downstream task and data, as the Hub's model-index wants them. */
  task: string;
  dataset: string;
}

interface EvaluationLike {
  scores: { model: string; knn: number; linearProbe: number }[];
  protocol: { dataset: string; labeledExamples: number; knn: { k: number } };
}
interface EfficiencyLike {
  results: { budget: string; protocol: string; mean: number; std: number; accuracies: number[] }[];
  protocol: { dataset: string; seeds: number[] };
}

/** The scores of evaluate() / labelEfficiency() reports, each named with its protocol. */
export function reportMetrics(reports: ScoredReport[]): CardMetric[] {
  const metrics: CardMetric[] = [];
  for (const report of reports as unknown[]) {
    const r = report as Partial<EvaluationLike & EfficiencyLike>;
    if (Array.isArray(r.scores) && r.protocol && 'knn' in r.protocol) {
      const p = r.protocol as EvaluationLike['protocol'];
      for (const s of (r as EvaluationLike).scores) {
        metrics.push(
          {
            type: 'accuracy',
            value: s.knn,
            name: `${s.model}: kNN (cosine, k=${p.knn.k}) on frozen features, ${p.labeledExamples} labels`,
            task: 'image-classification',
            dataset: p.dataset
          },
          {
            type: 'accuracy',
            value: s.linearProbe,
            name: `${s.model}: linear probe on frozen features, ${p.labeledExamples} labels`,
            task: 'image-classification',
            dataset: p.dataset
          }
        );
      }
    } else if (Array.isArray(r.results) && r.protocol) {
      const p = r.protocol as EfficiencyLike['protocol'];
      for (const e of (r as EfficiencyLike).results) {
        metrics.push({
          type: 'accuracy',
          value: e.mean,
          name: `${e.protocol} with ${e.budget} of the labels (mean of ${e.accuracies.length} seeds, std ${e.std.toFixed(4)})`,
          task: 'image-classification',
          dataset: p.dataset
        });
      }
    }
  }
  return metrics;
}
