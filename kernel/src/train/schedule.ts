import type { ResolvedSchedule } from './options';

/** Warmup length in steps for a schedule, given the run's steps per epoch. */
export function warmupSteps(schedule: ResolvedSchedule, stepsPerEpoch: number): number {
  if (schedule.warmupSteps !== undefined) {
    return schedule.warmupSteps;
  }
  if (schedule.warmupEpochs !== undefined) {
    return Math.round(schedule.warmupEpochs * stepsPerEpoch);
  }
  return 0;
}

/**
 * The learning rate for optimiser step `step` (0-based) of a run of `totalSteps` steps.
 * Warmup rises linearly: step i of w gets peak * (i + 1) / w, so the first step is never 0 and
 * step w - 1 reaches the peak. Cosine decay then runs from the peak at step w down to
 * minLearningRate at step totalSteps (one past the last step), as
 * min + (peak - min) * (1 + cos(pi * (step - w) / (totalSteps - w))) / 2.
 */
export function learningRateAt(
  schedule: ResolvedSchedule,
  peak: number,
  step: number,
  totalSteps: number,
  stepsPerEpoch: number
): number {
  const warmup = warmupSteps(schedule, stepsPerEpoch);
  if (step < warmup) {
    return (peak * (step + 1)) / warmup;
  }
  if (schedule.kind === 'constant') {
    return peak;
  }
  const span = totalSteps - warmup;
  if (span <= 0) {
    return peak;
  }
  const progress = Math.min(1, (step - warmup) / span);
  const min = schedule.minLearningRate;
  return min + ((peak - min) * (1 + Math.cos(Math.PI * progress))) / 2;
}
