/**
 * Tracking overhead: the same 1,000-step run of the fake task with no tracking callback and
 * with mlflowCallback() on a real local `mlflow server`; prints MLflow calls per 1,000 steps and
 * the time per step, alternating on/off runs. Not a test (no .test.ts): run it with
 *   TF_CPP_MIN_LOG_LEVEL=2 node --import tsx test/kernel/tracking/bench-overhead.ts [repeats]
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mlflowCallback } from '../../../kernel/src/train/callbacks/mlflow';
import { startMlflow } from './mlflow-server';
import { trainTracked } from './train-tracked';

async function main(): Promise<void> {
  const repeats = Number(process.argv[2] ?? 2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pretext-bench-'));
  const server = await startMlflow(dir);
  const root = path.join(dir, 'runs');
  const steps = 1000;
  const timed = async (tracking: boolean) => {
    const callback = tracking
      ? mlflowCallback({ tracking: server.uri, experiment: 'bench' })
      : undefined;
    const started = process.hrtime.bigint();
    let ended = 0n;
    // Marks when the loop is done, so the wait for the last uploads is told apart.
    const marker = {
      name: 'marker',
      onTrainEnd: () => {
        ended = process.hrtime.bigint();
      }
    };
    await trainTracked({
      root,
      callbacks: callback ? [marker, callback] : [marker],
      epochs: 10,
      stepsPerEpoch: steps / 10,
      monitor: true
    });
    const done = process.hrtime.bigint();
    const ms = Number(done - started) / 1e6;
    const endWaitMs = Number(done - ended) / 1e6;
    return {
      ms,
      endWaitMs,
      calls: callback?.stats.calls ?? 0,
      behind: callback?.stats.behind ?? false
    };
  };
  try {
    await timed(false); // warm-up: TensorFlow kernels, the server's first requests
    await timed(true);
    for (let i = 0; i < repeats; i++) {
      const off = await timed(false);
      const on = await timed(true);
      console.log(
        JSON.stringify({
          steps,
          offMsPerStep: +(off.ms / steps).toFixed(3),
          onMsPerStep: +(on.ms / steps).toFixed(3),
          overheadMsPerStep: +((on.ms - off.ms) / steps).toFixed(3),
          loopOverheadMsPerStep: +(
            (on.ms - on.endWaitMs - (off.ms - off.endWaitMs)) /
            steps
          ).toFixed(3),
          endWaitMs: Math.round(on.endWaitMs),
          mlflowCallsPer1000Steps: on.calls,
          behind: on.behind
        })
      );
    }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
