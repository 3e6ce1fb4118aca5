/**
 * The engine's own callbacks, in the order they must run: the NaN guard before any update,
 * monitors before anything reads an epoch's metrics, early stopping, then checkpoints before
 * the recorder's final summary (the checkpointer flushes the metrics first), the dashboard
 * and the guide's log. User callbacks come after all of them.
 */
import { trackingCallbacks } from './tracking';
import type { EngineOptimizer } from '../optimizers';
import type { RunConfig } from '../../runs/store';
import type { EarlyStoppingState } from '../resume';
import type { TrainRun } from '../run-state';
import type { TrainCallback } from './callback';
import { Checkpointer } from './checkpointer';
import { DivergenceGuard } from './divergence';
import { DashboardCallback } from './dashboard';
import { EarlyStopping } from './early-stopping';
import { GuideLog } from './guide-log';
import { HeartbeatCallback } from './heartbeat';
import { CallbackList } from './list';
import { MonitorCallback } from './monitors';
import { NanGuard } from './nan-guard';
import { RunRecorder } from './recorder';

export function engineCallbacks(
  run: TrainRun,
  optimizer: EngineOptimizer,
  resumed?: { earlyStopping?: EarlyStoppingState; config: RunConfig }
): CallbackList {
  const opts = run.options;
  const builtIn: TrainCallback[] = [new NanGuard(), new MonitorCallback()];
  if (opts.divergenceGuard !== false) {
    builtIn.splice(1, 0, new DivergenceGuard(opts.divergenceGuard === 'warn'));
  }
  const callbacks = new CallbackList(builtIn, opts.callbacks);
  const stopping = opts.earlyStopping
    ? new EarlyStopping(
        opts.earlyStopping,
        resumed?.earlyStopping ? { ...resumed.earlyStopping } : undefined
      )
    : undefined;
  if (stopping) {
    builtIn.push(stopping);
  }
  const runDir = run.runDir;
  if (runDir) {
    const recorder = new RunRecorder(runDir, resumed?.config);
    const engineState = () => ({
      epochs: run.epochs,
      earlyStopping: stopping?.state ?? { best: null, bestEpoch: 0, bad: 0 },
      seconds: run.elapsedSeconds,
      stepsPerEpoch: run.stepsPerEpoch,
      ...(run.planner?.planned !== undefined ? { plannedSteps: run.planner.planned } : {})
    });
    const written = async (checkpoint: { dir: string; step: number }) => {
      run.checkpoint = checkpoint;
      await callbacks.call('onCheckpoint', checkpoint, run);
    };
    const hooks = { beforeWrite: () => recorder.flush(), engineState, written };
    // The heartbeat worker first: it must be stopped before the recorder's final summary.
    builtIn.push(new HeartbeatCallback(runDir));
    builtIn.push(new Checkpointer(runDir, optimizer, hooks, run.checkpoint?.step ?? -1), recorder);
    // After the recorder, so what they upload or log is already on disk.
    builtIn.push(
      ...trackingCallbacks({
        ...(opts.tracking !== undefined ? { tracking: opts.tracking } : {}),
        ...(opts.experiment !== undefined ? { experiment: opts.experiment } : {}),
        tensorboard: opts.tensorboard
      })
    );
  }
  if (opts.display) {
    builtIn.push(new DashboardCallback());
  }
  builtIn.push(new GuideLog());
  return callbacks;
}
