/**
 * The Vega-Lite spec of the runs browser's "Compare": the loss curves of the selected runs.
 * It is the protocol's run comparison (`pretext/protocol`), the same one the kernel's
 * compareRuns() draws: one chart for runs of one method, one panel per run (own y scale)
 * when methods differ. Pure module: no DOM, no JupyterLab.
 */
import type { LossCurve } from 'pretext/protocol';

export {
  MAX_POINTS_PER_CURVE,
  buildCompareSpec,
  compareLayout,
  thin,
  type CompareLayout
} from 'pretext/protocol';

/** A run's loss curve: its label (see runLabel), method and metrics points. */
export type ILossCurve = LossCurve;
