/**
 * The tracking callbacks a run gets: MLflow when a tracking server is configured (the option,
 * else PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI, the JupyterLab setting; false turns it off)
 * and TensorBoard event files (default on).
 */
import type { TrainCallback } from './callback';
import { checkOptionNames } from '../../util/errors';
import { mlflowCallback } from './mlflow';
import { tensorboardCallback } from './tensorboard';
import { resolveTrackingUri } from '../../tracking/tracking-uri';

export interface TrackingOptions {
  /**
   * MLflow tracking URI; undefined: PRETEXT_TRACKING_URI, MLFLOW_TRACKING_URI, then the
   * JupyterLab setting; false: no MLflow run.
   */
  tracking?: string | false;
  /** Write TensorBoard event files into the run folder (default true). */
  tensorboard?: boolean;
  /** MLflow experiment (default MLFLOW_EXPERIMENT_NAME, the notebook's name, or 'pretext'). */
  experiment?: string;
}

export function trackingCallbacks(options: TrackingOptions = {}): TrainCallback[] {
  checkOptionNames('trackingCallbacks', options, ['tracking', 'tensorboard', 'experiment']);
  const callbacks: TrainCallback[] = [];
  const uri = resolveTrackingUri(options.tracking);
  if (uri) {
    callbacks.push(
      mlflowCallback({
        tracking: uri,
        ...(options.experiment ? { experiment: options.experiment } : {})
      })
    );
  }
  if (options.tensorboard ?? true) {
    callbacks.push(tensorboardCallback());
  }
  return callbacks;
}
