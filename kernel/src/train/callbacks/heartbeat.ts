/**
 * Keeps the run's heartbeat alive while a step, a monitor or a checkpoint holds the main thread
 * (runs/heartbeat.ts). Placed before the run recorder, so the worker is stopped before the
 * recorder writes the final summary.
 */
import * as path from 'node:path';
import { startHeartbeat, type Heartbeat } from '../../runs/heartbeat';
import type { TrainCallback } from './callback';

export class HeartbeatCallback implements TrainCallback {
  readonly name = 'heartbeat';
  private heartbeat?: Heartbeat;

  constructor(private readonly runDir: string) {}

  onTrainBegin(): void {
    this.heartbeat?.stop();
    this.heartbeat = startHeartbeat(path.join(this.runDir, 'summary.json'));
  }

  onTrainEnd(): void {
    this.heartbeat?.stop();
    this.heartbeat = undefined;
  }
}
