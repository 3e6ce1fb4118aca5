/** Checkpoints as a callback: every N epochs, at the last epoch, and when a run stops or ends. */
import { writeCheckpoint } from '../../runs/checkpoint';
import { taskState } from '../../runs/task-state';
import type { EngineOptimizer } from '../optimizers';
import type { EpochSummary } from '../result';
import type { TrainCallback, TrainContext, TrainEnd } from './callback';

export interface CheckpointerHooks {
  /** Before each write: the metrics up to the checkpoint must be on disk first. */
  beforeWrite(): void;
  /** The engine counters stored with the checkpoint (epochs, early stopping, seconds, plan). */
  engineState(): Record<string, unknown>;
  /** After each write: tell the run and the other callbacks (onCheckpoint). */
  written(checkpoint: { dir: string; step: number }): Promise<void>;
}

export class Checkpointer implements TrainCallback {
  readonly name = 'checkpoints';

  constructor(
    private readonly runDir: string,
    private readonly optimizer: EngineOptimizer,
    private readonly hooks: CheckpointerHooks,
    /** The step of the checkpoint a resumed run starts from (nothing new to write there). */
    private last = -1
  ) {}

  async onEpochEnd(epoch: EpochSummary, ctx: TrainContext): Promise<void> {
    const every = ctx.options.checkpointEvery;
    if (epoch.epoch % every === 0 || epoch.epoch === ctx.options.epochs) {
      await this.save(ctx);
    }
  }

  async onTrainEnd(end: TrainEnd, ctx: TrainContext): Promise<void> {
    if (end.status === 'stopped' || end.status === 'done') {
      await this.save(ctx);
    }
  }

  private async save(ctx: TrainContext): Promise<void> {
    if (this.last === ctx.step) {
      return;
    }
    this.hooks.beforeWrite();
    const state = taskState(ctx.task);
    const optimizerWeights = await this.optimizer.weights();
    let dir: string;
    try {
      dir = await writeCheckpoint(this.runDir, {
        method: ctx.task.method,
        step: ctx.step,
        optimizer: ctx.options.optimizer,
        naming: state.naming,
        task: Object.entries(state.variables).map(([name, tensor]) => ({ name, tensor })),
        optimizerState: optimizerWeights,
        engine: this.hooks.engineState()
      });
    } finally {
      for (const w of optimizerWeights) {
        if (w.owned) {
          w.tensor.dispose();
        }
      }
    }
    this.last = ctx.step;
    await this.hooks.written({ dir, step: ctx.step });
  }
}
