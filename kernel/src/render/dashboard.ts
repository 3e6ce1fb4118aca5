import { formatDuration, thin, type DashboardPayload, type WrittenStatus } from '../protocol';
import { DisplayHandle } from './display';
import { MIME, PROTOCOL_VERSION, type MimeBundle } from './mime';
import { lossCurveSpec, type LossPoint } from './specs';
import { specToSvg } from './vega';

/** What a training run reports while it runs and when it ends (the protocol's statuses). */
export type RunStatus = WrittenStatus;

/** One duration format for both halves (the protocol's). */
export { formatDuration } from '../protocol';

export interface DashboardState {
  title: string;
  status: RunStatus;
  step: number;
  totalSteps: number;
  epoch: number;
  totalEpochs: number;
  elapsedSec: number;
  samplesPerSec?: number;
  metrics: Record<string, number>;
  history: LossPoint[];
  message?: string;
  /** A time-budgeted run's budget in seconds (its totalSteps are the planned steps). */
  budgetSec?: number;
}

/** At most this many loss points travel to the browser; the curve's shape survives. */
const MAX_POINTS = 400;

/** Evenly thinned, keeping the first and last point (the same thinning the run comparison uses). */
export function decimate(points: LossPoint[], max = MAX_POINTS): LossPoint[] {
  // Short histories go out as they are (no copy per live update).
  return points.length <= max ? points : thin(points, max);
}

function etaSec(state: DashboardState): number | undefined {
  if (state.status !== 'running' || state.step === 0) {
    return undefined;
  }
  return (state.elapsedSec / state.step) * (state.totalSteps - state.step);
}

export function dashboardText(state: DashboardState): string {
  const metrics = Object.entries(state.metrics)
    .map(([name, value]) => `${name} ${value.toFixed(4)}`)
    .join(' · ');
  const rate = state.samplesPerSec ? ` · ${state.samplesPerSec.toFixed(0)} samples/s` : '';
  const eta = etaSec(state);
  const timing =
    (eta !== undefined
      ? ` · ETA ${formatDuration(eta)}`
      : ` · ${formatDuration(state.elapsedSec)}`) +
    (state.budgetSec !== undefined ? ` · budget ${formatDuration(state.budgetSec)}` : '');
  const lines = [
    `${state.title} [${state.status}] step ${state.step}/${state.totalSteps} (epoch ${state.epoch}/${state.totalEpochs})${rate}${timing}`,
    ...(metrics ? [metrics] : []),
    ...(state.message ? [state.message] : [])
  ];
  return lines.join('\n');
}

/**
 * The live training output: one display updated in place. Updates during training carry the
 * JSON for the extension and text for everything else; the final one adds the SVG chart so the
 * saved notebook keeps a static picture of the run.
 */
export class TrainingDashboard {
  private readonly handle = new DisplayHandle();
  private lastSent = 0;

  constructor(private readonly minIntervalMs = 250) {}

  private bundle(state: DashboardState): MimeBundle {
    const spec = lossCurveSpec(decimate(state.history));
    const payload: DashboardPayload = {
      version: PROTOCOL_VERSION,
      title: state.title,
      status: state.status,
      progress: {
        step: state.step,
        totalSteps: state.totalSteps,
        epoch: state.epoch,
        totalEpochs: state.totalEpochs,
        elapsedSec: state.elapsedSec,
        ...(state.samplesPerSec ? { samplesPerSec: state.samplesPerSec } : {}),
        ...(etaSec(state) !== undefined ? { etaSec: etaSec(state) } : {}),
        ...(state.budgetSec !== undefined ? { budgetSec: state.budgetSec } : {})
      },
      metrics: state.metrics,
      ...(state.message ? { message: state.message } : {}),
      chart: { spec }
    };
    return { [MIME.dashboard]: payload, 'text/plain': dashboardText(state) };
  }

  /** Whether a throttled update would be sent now. */
  due(): boolean {
    return Date.now() - this.lastSent >= this.minIntervalMs;
  }

  /** Throttled live update; returns quickly when the last one was too recent. */
  update(state: DashboardState, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastSent < this.minIntervalMs) {
      return;
    }
    this.lastSent = now;
    this.handle.show(this.bundle(state));
  }

  /** Final update, with the static SVG fallback. */
  async finish(state: DashboardState): Promise<MimeBundle> {
    const bundle = await finalDashboardBundle(this.bundle(state));
    this.handle.show(bundle);
    return bundle;
  }

  static async finalBundle(state: DashboardState): Promise<MimeBundle> {
    return finalDashboardBundle(new TrainingDashboard().bundle(state));
  }
}

async function finalDashboardBundle(bundle: MimeBundle): Promise<MimeBundle> {
  const { chart } = bundle[MIME.dashboard] as { chart: { spec: Record<string, unknown> } };
  return { ...bundle, 'image/svg+xml': await specToSvg(chart.spec) };
}
