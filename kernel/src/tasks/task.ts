import type { LayersModel, Scalar, Tensor, Variable } from '../backend/tf';

/** px.train options a method may default (the caller's own value always wins). */
export interface TaskTrainDefaults {
  learningRate?: number;
}

/**
 * loss(batch, seed) = objective(prepare(batch, seed)). `prepare` holds everything random or
 * batch-dependent in JavaScript (views, masks) and runs eagerly; `objective` must be a pure
 * function of its inputs and the model's variables (no JavaScript randomness, no values read
 * back), because a traced objective freezes everything else it reads.
 */
export interface TaskStages {
  prepare(batch: Tensor, seed: number): Tensor[];
  objective(prepared: Tensor[]): Scalar;
}

/**
 * A pretext task: everything the training engine needs to optimise one self-supervised
 * objective. Methods are small modules (augment + encoder + head + loss) that implement this.
 */
export interface PretextTask {
  /** Method name as users type it, e.g. 'simclr'. */
  readonly method: string;
  /** The representation being learned; what evaluation and export use. */
  readonly encoder: LayersModel;
  /** Variables the optimiser updates (encoder + heads; never momentum targets). */
  trainableVariables(): Variable[];
  /**
   * Loss for one batch of unlabeled inputs. Called inside the optimiser's tape, so it must be
   * pure tensor code; `seed` makes the batch's random views repeatable.
   */
  loss(batch: Tensor, seed: number): Scalar;
  /**
   * loss() in two stages, when the task can split it: the engine then traces `objective` once
   * into a TensorFlow function and runs each step as one call (px.train's `compile`).
   */
  readonly stages?: TaskStages;
  /**
   * Runs after each optimiser step, outside the tape: momentum (EMA) target updates, queue
   * pushes. `step` counts completed steps from 1, across resumes.
   */
  afterStep?(step: number): void;
  /**
   * Every variable needed to resume this task exactly, by a stable unique name: trainable
   * weights, batch-norm statistics, momentum targets, queues. The engine checkpoints these.
   * Default when absent: the encoder's and the task's trainable variables.
   */
  stateVariables?(): Record<string, Variable>;
  /**
   * The loss of an uninformative representation at this batch size (e.g. log(2N-1) for
   * NT-Xent), if the task knows it: the divergence guard flags a loss stuck there.
   */
  chanceLoss?(batchSize: number): number | undefined;
  /**
   * Training settings this method trains best with, measured (e.g. SimCLR's learning rate in
   * bench/quality): px.train uses them where the caller leaves the option out.
   */
  readonly trainDefaults?: TaskTrainDefaults;
  /** JSON-serialisable settings, recorded with the run. */
  config(): Record<string, unknown>;
  /** Frees heads and buffers owned by the task (the encoder stays with the caller). */
  dispose(): void;
}
