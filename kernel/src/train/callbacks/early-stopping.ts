/** Early stopping as a callback: stop once the monitored value stops improving. */
import { check } from '../../util/errors';
import type { ResolvedEarlyStopping } from '../options';
import type { EpochSummary } from '../result';
import type { EarlyStoppingState } from '../resume';
import type { TrainCallback, TrainContext } from './callback';
import { monitorsDue } from './monitors';

/**
 * Updates `state` with this epoch's value of the monitored metric (the epoch loss or a
 * monitor's) and returns the stop message once patience runs out, else undefined.
 */
export function updateEarlyStopping(
  es: ResolvedEarlyStopping,
  state: EarlyStoppingState,
  epoch: {
    epoch: number;
    meanLoss: number;
    metrics: Record<string, number>;
    monitorsRan: boolean;
  }
): string | undefined {
  const value = es.monitor === 'loss' ? epoch.meanLoss : epoch.metrics[es.monitor];
  if (value === undefined) {
    // A monitor that runs every few epochs has nothing to say in between; only a run that
    // produced metrics without the named one is a mistake.
    const available = ['loss', ...Object.keys(epoch.metrics)];
    check(
      !epoch.monitorsRan,
      `earlyStopping.monitor '${es.monitor}' is not a metric any monitor returned at epoch ${epoch.epoch} (got: ${available.join(', ')}).`,
      `Set earlyStopping.monitor to one of: ${available.join(', ')}.`
    );
    return undefined;
  }
  const improved =
    state.best === null ||
    (es.mode === 'min' ? value < state.best - es.minDelta : value > state.best + es.minDelta);
  if (improved) {
    state.best = value;
    state.bestEpoch = epoch.epoch;
    state.bad = 0;
    return undefined;
  }
  if (++state.bad < es.patience) {
    return undefined;
  }
  return `Early stopping after epoch ${epoch.epoch}: ${es.monitor} has not improved by more than ${es.minDelta} for ${es.patience} check${es.patience === 1 ? '' : 's'} (best ${(state.best ?? value).toFixed(4)} at epoch ${state.bestEpoch}).`;
}

export class EarlyStopping implements TrainCallback {
  readonly name = 'early stopping';

  /** `state` continues a resumed run's counters; checkpoints store it. */
  constructor(
    private readonly settings: ResolvedEarlyStopping,
    readonly state: EarlyStoppingState = { best: null, bestEpoch: 0, bad: 0 }
  ) {}

  onEpochEnd(epoch: EpochSummary, ctx: TrainContext): void {
    const stop = updateEarlyStopping(this.settings, this.state, {
      epoch: epoch.epoch,
      meanLoss: epoch.meanLoss,
      metrics: epoch.metrics ?? {},
      monitorsRan: monitorsDue(ctx.options.monitors, epoch.epoch)
    });
    if (stop !== undefined) {
      ctx.requestStop(stop);
    }
  }
}
