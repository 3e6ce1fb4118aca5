import type { SessionLog } from './session';

export type AdviceLevel = 'info' | 'warning';

export interface Advice {
  level: AdviceLevel;
  text: string;
}

/** Below this many unlabeled examples, contrastive pretraining rarely beats a random encoder. */
export const FEW_UNLABELED = 1000;

/**
 * Advice drawn from what this session actually did. Each rule looks at the evidence and stays
 * silent when there is none, so an empty list means "nothing to flag", not "all is well".
 */
export function adviceFor(log: SessionLog): Advice[] {
  const advice: Advice[] = [];
  const unlabeled = log.datasets.filter(d => !d.labeled);
  const largestPool = Math.max(0, ...unlabeled.map(d => d.size));
  if (unlabeled.length > 0 && largestPool < FEW_UNLABELED) {
    advice.push({
      level: 'warning',
      text: `Only ${largestPool} unlabeled examples: SSL pays off with thousands. Add unlabeled data before tuning the method.`
    });
  }
  const finished = log.runs.filter(r => r.status === 'done' || r.status === 'stopped');
  for (const run of log.runs.filter(r => r.status === 'failed')) {
    advice.push({
      level: 'warning',
      text: `The ${run.method} run failed after ${run.steps} steps; see its message, lower the learning rate or clip gradients, and retry.`
    });
  }
  if (finished.length > 0 && log.evaluations.length === 0) {
    advice.push({
      level: 'warning',
      text: 'No downstream evaluation yet: a falling pretext loss does not show the features are useful. Run evaluate() against an untrained encoder.'
    });
  }
  const methods = new Set(finished.map(r => r.method));
  if (finished.length > 0 && methods.size === 1) {
    advice.push({
      level: 'info',
      text: `Only one pretext task tried (${[...methods][0]}). Train a second method on the same split to know whether the choice matters for your data.`
    });
  }
  for (const run of finished) {
    if (run.rankRatio !== undefined && run.rankRatio < 0.1) {
      advice.push({
        level: 'warning',
        text: `Embeddings of the ${run.method} run are collapsing (effective rank ${(run.rankRatio * 100).toFixed(0)}% of the dimension). Lower the learning rate, strengthen augmentations or use a method with a variance term (VICReg).`
      });
    }
    const knn = run.knnHistory ?? [];
    if (knn.length >= 3 && run.lastLoss < run.firstLoss * 0.9) {
      const recent = knn.slice(-3);
      if (Math.max(...recent) - recent[0] < 0.005) {
        advice.push({
          level: 'warning',
          text: `The ${run.method} loss keeps falling but kNN accuracy has stalled at ${(recent.at(-1)! * 100).toFixed(1)}%: the encoder is fitting the pretext task, not learning more useful features. Stop earlier or make the task harder (stronger augmentations).`
        });
      }
    }
  }
  for (const model of new Set(log.evaluations.flatMap(e => e.collapsing ?? []))) {
    advice.push({
      level: 'warning',
      text: `The embeddings of '${model}' are collapsing (low effective rank): its features carry little information. Lower the learning rate, strengthen augmentations or try a method with a variance term (VICReg).`
    });
  }
  return advice;
}
