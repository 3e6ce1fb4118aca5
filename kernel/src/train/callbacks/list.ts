/** Calls every callback's hook in order, awaiting each; user callbacks' errors are named. */
import type { TrainCallback, TrainContext, TrainEnd } from './callback';
import { callbackFailure, type HookName } from './user';

type Args<H extends HookName> = Parameters<NonNullable<TrainCallback[H]>>;

export class CallbackList {
  /** Built-in callbacks first (their errors are already PretextErrors), then the user's. */
  constructor(
    private readonly builtIn: readonly TrainCallback[],
    private readonly user: readonly TrainCallback[]
  ) {}

  private all(): TrainCallback[] {
    return [...this.builtIn, ...this.user];
  }

  private async one<H extends HookName>(cb: TrainCallback, hook: H, args: Args<H>): Promise<void> {
    const fn = cb[hook] as ((...a: Args<H>) => void | Promise<void>) | undefined;
    if (!fn) {
      return;
    }
    try {
      await fn.apply(cb, args);
    } catch (error) {
      if (!this.user.includes(cb)) {
        throw error;
      }
      throw callbackFailure(cb, hook, error, args[args.length - 1] as TrainContext);
    }
  }

  async call<H extends Exclude<HookName, 'onTrainEnd'>>(hook: H, ...args: Args<H>): Promise<void> {
    for (const cb of this.all()) {
      await this.one(cb, hook, args);
    }
  }

  /**
   * onTrainEnd reaches every callback even when one throws, so the run store and dashboard
   * always see the end; the first error turns the end into a failure for those after it.
   */
  async end(end: TrainEnd, ctx: TrainContext, fail: (error: unknown) => void): Promise<void> {
    for (const cb of this.all()) {
      try {
        await this.one(cb, 'onTrainEnd', [end, ctx]);
      } catch (error) {
        if (end.error !== undefined) {
          continue;
        }
        fail(error);
        end.status = 'failed';
        end.message = ctx.message;
        end.error = error;
      }
    }
  }
}
