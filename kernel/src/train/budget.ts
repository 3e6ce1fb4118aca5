/**
 * Time budgets: parse '4m' / '90s' / '1h30m' / seconds, and plan how many steps fit in the
 * budget from the measured step time, so a warmup + cosine schedule ends when the time does.
 */
import { check } from '../util/errors';

const UNITS: Record<string, number> = { h: 3600, m: 60, s: 1 };
const EXAMPLES =
  "Pass e.g. { budget: '90s' }, { budget: '4m' }, { budget: '1h30m' } or { budget: 240 }.";

/** Seconds in a budget: a positive number of seconds, or a string of h/m/s parts. */
export function parseBudget(value: unknown): number {
  // A small grammar of our own: h/m/s parts are all a training budget needs, and a library
  // such as `ms` would add a dependency for days, weeks and milliseconds nobody trains in.
  let seconds = NaN;
  if (typeof value === 'number') {
    seconds = value;
  } else if (typeof value === 'string' && /^\s*(\d+(\.\d+)?\s*[hms]\s*)+$/i.test(value)) {
    seconds = 0;
    for (const [, amount, , unit] of value.matchAll(/(\d+(\.\d+)?)\s*([hms])/gi)) {
      seconds += Number(amount) * UNITS[unit.toLowerCase()];
    }
  }
  check(
    Number.isFinite(seconds) && seconds > 0,
    `budget must be a duration such as '90s', '4m' or '1h', or a positive number of seconds, got ${JSON.stringify(value)}.`,
    EXAMPLES
  );
  return seconds;
}

/** How budgets are written back to people: 90 -> '1m30s'. */
export function budgetText(seconds: number): string {
  const s = Math.round(seconds);
  const parts = [
    [Math.floor(s / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's']
  ].filter(([n]) => n !== 0);
  return parts.length ? parts.map(([n, u]) => `${n}${u}`).join('') : `${seconds}s`;
}

/** Re-plan when the measured seconds per step differ from the planned ones by more than this. */
export const REPLAN_DRIFT = 0.15;

/**
 * Plans the total steps of a budgeted run. The first step (graph set-up, warm caches) is left
 * out of the timing; then each window of at least 3 steps and min(1 s, 5% of the budget) gives
 * a speed, the first one fixes the plan and later ones re-plan on a drift above 15%. Time spent
 * at epoch ends (monitors, checkpoints) is timed apart and budgeted per epoch.
 */
export class BudgetPlanner {
  /** Steps planned for the whole run; undefined until the first window was timed. */
  planned: number | undefined;
  /** How often the plan changed after it was first made. */
  replans = 0;
  private secondsPerStep: number | undefined;
  private window: { step: number; elapsed: number; overhead: number } | undefined;
  private overhead = 0;
  private epochEnds = 0;

  constructor(
    readonly seconds: number,
    private readonly stepsPerEpoch: number,
    /** A resumed run's plan: the schedule continues on it until this process is timed. */
    private readonly provisional?: number
  ) {}

  /** The total the schedule runs over now: the plan, else the provisional one, else no end. */
  scheduleTotal(): number {
    return this.planned ?? this.provisional ?? Number.MAX_SAFE_INTEGER;
  }

  /** Time spent outside steps (an epoch's monitors and checkpoint). */
  epochEnd(seconds: number): void {
    this.overhead += seconds;
    this.epochEnds++;
  }

  /** Called after every step with the steps done and the seconds used, across resumes. */
  observe(step: number, elapsed: number): void {
    if (!this.window) {
      this.window = { step, elapsed, overhead: this.overhead };
      return;
    }
    const steps = step - this.window.step;
    const time = elapsed - this.window.elapsed - (this.overhead - this.window.overhead);
    if (steps < 3 || time < Math.min(1, 0.05 * this.seconds)) {
      return;
    }
    const perStep = time / steps;
    this.window = { step, elapsed, overhead: this.overhead };
    const drift = this.secondsPerStep ? Math.abs(perStep / this.secondsPerStep - 1) : Infinity;
    if (drift <= REPLAN_DRIFT) {
      return;
    }
    if (this.secondsPerStep !== undefined) {
      this.replans++;
    }
    this.secondsPerStep = perStep;
    const perEpoch = this.epochEnds ? this.overhead / this.epochEnds : 0;
    const left = Math.max(0, this.seconds - elapsed);
    this.planned = step + Math.max(1, Math.floor(left / (perStep + perEpoch / this.stepsPerEpoch)));
  }

  /** Whether the run should stop now: the planned steps are done, or the time is up. */
  finished(step: number, elapsed: number): boolean {
    return elapsed >= this.seconds || (this.planned !== undefined && step >= this.planned);
  }
}
