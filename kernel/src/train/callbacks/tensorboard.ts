/**
 * TensorBoard event files for every run, written through TensorFlow's own summary ops into the
 * run folder, so `tensorboard --logdir runs` lists each run under its id.
 */
import { tf, type Tensor } from '../../backend/tf';
import type { TrainCallback } from './callback';
import { checkOptionNames } from '../../util/errors';

export interface TensorboardCallbackOptions {
  /** Folder for the event files (default: the run's folder; without a run store, none). */
  logdir?: string;
  /** Steps between writes of the per-step scalars (default 1: every step). */
  everySteps?: number;
}

/** The summary ops of the tfjs-node backend (typed here: tfjs-node does not export them). */
interface SummaryBackend {
  summaryWriter(logdir: string): Tensor;
  createSummaryFileWriter(
    handle: Tensor,
    logdir: string,
    maxQueue: number,
    flushMillis: number,
    suffix: string
  ): void;
  writeScalarSummary(handle: Tensor, step: number, name: string, value: number): void;
  flushSummaryWriter(handle: Tensor): void;
  executeMultipleOutputs(
    name: string,
    attrs: unknown[],
    inputs: Tensor[],
    outputs: number
  ): Tensor[];
}

/**
 * One event-file writer for one run. tfjs-node's `summaryFileWriter` caches a writer per folder
 * for the life of the process and leaks the tensors it made to open it, so a notebook that trains
 * many runs would keep one open file and five tensors per run; this writer closes both.
 */
class EventWriter {
  private readonly backend = tf.backend() as unknown as SummaryBackend;
  private handle: Tensor | undefined;

  constructor(logdir: string) {
    this.handle = tf.tidy(() => {
      const handle = this.backend.summaryWriter(logdir);
      this.backend.createSummaryFileWriter(handle, logdir, 10, 120_000, '.v2');
      return handle;
    });
  }

  scalar(name: string, value: number, step: number): void {
    this.guard(handle => this.backend.writeScalarSummary(handle, step, name, value));
  }

  flush(): void {
    this.guard(handle => this.backend.flushSummaryWriter(handle));
  }

  /** Flushes, closes the file and frees the writer (TF removes it from its resource manager). */
  close(): void {
    const handle = this.handle;
    if (!handle) {
      return;
    }
    this.handle = undefined;
    try {
      this.backend.executeMultipleOutputs('CloseSummaryWriter', [], [handle], 0);
    } catch {
      // Already reported by guard(); the tensor is freed either way.
    } finally {
      handle.dispose();
    }
  }

  /**
   * Event files are a by-product: a full or read-only disk stops them with one warning, and
   * training goes on (the run store reports its own write errors).
   */
  private guard(write: (handle: Tensor) => void): void {
    if (!this.handle) {
      return;
    }
    try {
      write(this.handle);
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      console.warn(`Pretext: TensorBoard event files stopped (${reason}); training goes on.`);
      this.close();
    }
  }
}

export function tensorboardCallback(options: TensorboardCallbackOptions = {}): TrainCallback {
  checkOptionNames('tensorboardCallback', options, ['logdir', 'everySteps']);
  const every = options.everySteps ?? 1;
  let writer: EventWriter | undefined;
  return {
    name: 'tensorboard',
    onTrainBegin(ctx) {
      const logdir = options.logdir ?? ctx.runDir;
      // Without a run store and no logdir there is nowhere that `--logdir runs` would look.
      writer = logdir ? new EventWriter(logdir) : undefined;
    },
    onStepEnd(record) {
      if (!writer || record.step % every !== 0) {
        return;
      }
      writer.scalar('loss', record.loss, record.step);
      writer.scalar('lr', record.lr, record.step);
      if (record.gradNorm !== undefined) {
        writer.scalar('grad_norm', record.gradNorm, record.step);
      }
    },
    onEpochEnd(epoch, ctx) {
      if (!writer) {
        return;
      }
      writer.scalar('epoch/mean_loss', epoch.meanLoss, ctx.step);
      for (const [name, value] of Object.entries(epoch.metrics ?? {})) {
        if (Number.isFinite(value)) {
          writer.scalar(`monitors/${name}`, value, ctx.step);
        }
      }
      writer.flush();
    },
    onTrainEnd() {
      writer?.close();
      writer = undefined;
    }
  };
}
