import { DisplayHandle } from './display';
import { MIME, type MimeBundle } from './mime';
import { lossCurveSpec, type LossPoint } from './specs';
import { specToSvg } from './vega';

export type RunStatus = 'running' | 'done' | 'stopped' | 'failed';

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
}

/** At most this many loss points travel to the browser; the curve's shape survives. */
const MAX_POINTS = 400;

export function decimate(points: LossPoint[], max = MAX_POINTS): LossPoint[] {
  if (points.length <= max) return points;
  const stride = points.length / max;
  const kept: LossPoint[] = [];
  for (let i = 0; i < max; i++) kept.push(points[Math.floor(i * stride)]);
  kept[kept.length - 1] = points[points.length - 1];
  return kept;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, '0')}m`
    : m > 0
      ? `${m}m${String(rest).padStart(2, '0')}s`
      : `${rest}s`;
}

function etaSec(state: DashboardState): number | undefined {
  if (state.status !== 'running' || state.step === 0) return undefined;
  return (state.elapsedSec / state.step) * (state.totalSteps - state.step);
}

export function dashboardText(state: DashboardState): string {
  const metrics = Object.entries(state.metrics)
    .map(([name, value]) => `${name} ${value.toFixed(4)}`)
    .join(' · ');
  const rate = state.samplesPerSec ? ` · ${state.samplesPerSec.toFixed(0)} samples/s` : '';
  const eta = etaSec(state);
  const timing =
    eta !== undefined ? ` · ETA ${formatDuration(eta)}` : ` · ${formatDuration(state.elapsedSec)}`;
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
    return {
      [MIME.dashboard]: {
        title: state.title,
        status: state.status,
        progress: {
          step: state.step,
          totalSteps: state.totalSteps,
          epoch: state.epoch,
          totalEpochs: state.totalEpochs,
          elapsedSec: state.elapsedSec,
          ...(state.samplesPerSec ? { samplesPerSec: state.samplesPerSec } : {}),
          ...(etaSec(state) !== undefined ? { etaSec: etaSec(state) } : {})
        },
        metrics: state.metrics,
        ...(state.message ? { message: state.message } : {}),
        chart: { spec }
      },
      'text/plain': dashboardText(state)
    };
  }

  /** Throttled live update; returns quickly when the last one was too recent. */
  update(state: DashboardState, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastSent < this.minIntervalMs) return;
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
