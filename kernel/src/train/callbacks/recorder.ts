/**
 * The run store recorder: config.json (a resumed run's resume entry), metrics.jsonl and
 * summary.json. While the run trains, the summary carries this process's id, host and a
 * heartbeat, refreshed at most every few seconds, so a reader can tell a dead run from a live one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROTOCOL_VERSION } from '../../protocol/version';
import { writeFileAtomic, writeJsonAtomic } from '../../runs/files';
import type { MetricRecord, RunConfig, RunSummary } from '../../runs/store';
import { optionsForRecord } from '../options';
import type { TrainCallback, TrainContext, TrainEnd } from './callback';

/** At most one heartbeat write per this many milliseconds. */
export const HEARTBEAT_MS = 5000;

export class RunRecorder implements TrainCallback {
  readonly name = 'run store';
  private pending: MetricRecord[] = [];
  private lastBeat = 0;

  /** `resumed`: the stored config of a run continued from a checkpoint. */
  constructor(
    private readonly runDir: string,
    private readonly resumed?: RunConfig,
    private readonly heartbeatMs = HEARTBEAT_MS
  ) {}

  onTrainBegin(ctx: TrainContext): void {
    if (this.resumed) {
      // Continue the stored curve: drop log lines past the checkpoint (written before a failure).
      writeFileAtomic(
        path.join(this.runDir, 'metrics.jsonl'),
        ctx.records.map(r => JSON.stringify(r) + '\n').join('')
      );
      writeJsonAtomic(path.join(this.runDir, 'config.json'), {
        ...this.resumed,
        resumes: [
          ...(this.resumed.resumes ?? []),
          {
            at: new Date().toISOString(),
            fromStep: ctx.resumedFromStep,
            options: optionsForRecord(ctx.options)
          }
        ]
      });
    }
    this.beat(ctx);
  }

  onStepEnd(record: MetricRecord, ctx: TrainContext): void {
    this.pending.push(record);
    if (Date.now() - this.lastBeat >= this.heartbeatMs) {
      this.beat(ctx);
    }
  }

  /** The epoch's records go to disk now (monitor metrics included); the summary when due. */
  onEpochEnd(_epoch: unknown, ctx: TrainContext): void {
    this.flush();
    if (Date.now() - this.lastBeat >= this.heartbeatMs) {
      this.beat(ctx);
    }
  }

  onTrainEnd(end: TrainEnd, ctx: TrainContext): void {
    // The final status must reach summary.json even when the metrics could not be written
    // (a full disk): otherwise the run would read as 'running' while its process lives.
    let flushError: unknown;
    try {
      this.flush();
    } catch (error) {
      flushError = error;
    }
    end.summary = this.writeSummary(ctx, end.status, end.message, { lastResort: true });
    if (flushError !== undefined) {
      throw flushError;
    }
  }

  /** Appends the records not yet on disk (the checkpointer calls this before each checkpoint). */
  flush(): void {
    if (this.pending.length === 0) {
      return;
    }
    fs.appendFileSync(
      path.join(this.runDir, 'metrics.jsonl'),
      this.pending.map(r => JSON.stringify(r)).join('\n') + '\n'
    );
    this.pending = [];
  }

  private beat(ctx: TrainContext): void {
    this.flush();
    this.writeSummary(ctx, 'running', ctx.message);
    this.lastBeat = Date.now();
  }

  private writeSummary(
    ctx: TrainContext,
    status: RunSummary['status'],
    message?: string,
    { lastResort = false } = {}
  ) {
    const now = new Date().toISOString();
    const summary: RunSummary = {
      version: PROTOCOL_VERSION,
      status,
      finalLoss: ctx.epochs?.at(-1)?.meanLoss ?? null,
      steps: ctx.step,
      epochs: ctx.epochs?.length ?? 0,
      seconds: ctx.elapsedSeconds,
      ...(message ? { message } : {}),
      updated: now,
      pid: process.pid,
      host: os.hostname(),
      heartbeat: now,
      ...(ctx.budget
        ? {
            budget: {
              seconds: ctx.budget.seconds,
              plannedSteps: ctx.budget.plannedSteps ?? null,
              doneSteps: ctx.step,
              replans: ctx.budget.replans
            }
          }
        : {})
    };
    const file = path.join(this.runDir, 'summary.json');
    try {
      writeJsonAtomic(file, summary);
    } catch (error) {
      if (!lastResort) {
        throw error;
      }
      // No room for a temp file: overwrite in place (truncating frees the old blocks first).
      // Not atomic, but a true final status beats a stale 'running' one.
      fs.writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
    }
    return summary;
  }
}
