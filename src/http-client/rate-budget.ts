import { abortError, type Clock, systemClock } from './clock.js';

/**
 * A rate budget: at most `limit` requests in ANY window of `windowMs` (plus `marginMs`).
 *
 * It is a token bucket of `limit` tokens in which each token comes back exactly one window after
 * it was spent (a "sliding log"). A classic bucket that refills continuously at limit/window and
 * holds `limit` tokens lets `2 * limit - 1` requests through in some windows (a full burst, then
 * the refill), which breaks the invariant the Federal Register states ("no more than 5 requests
 * per second"); this one cannot. `marginMs` absorbs network jitter between our clock and the
 * server's, so that the server never counts more than `limit` in its own one-second windows.
 *
 * Waiters are served in order; an aborted waiter leaves the queue with FR_ABORTED.
 */
export interface RateBudgetOptions {
  limit: number;
  windowMs: number;
  marginMs?: number;
  clock?: Clock;
  /** For messages and metrics: "api", "xml". */
  name?: string;
}

export interface RateLimiter {
  acquire(signal?: AbortSignal): Promise<void>;
}

export class RateBudget implements RateLimiter {
  readonly limit: number;
  readonly windowMs: number;
  readonly marginMs: number;
  readonly name: string;
  private readonly clock: Clock;
  private readonly spent: number[] = [];
  private chain: Promise<void> = Promise.resolve();
  /** Total time callers spent waiting for a token, for metrics and benchmarks. */
  waitedMs = 0;

  constructor(options: RateBudgetOptions) {
    if (!(options.limit >= 1) || !(options.windowMs > 0)) {
      throw new RangeError(
        `rate budget needs limit >= 1 and windowMs > 0, got ${options.limit}/${options.windowMs}`,
      );
    }
    this.limit = Math.floor(options.limit);
    this.windowMs = options.windowMs;
    this.marginMs = options.marginMs ?? 0;
    this.clock = options.clock ?? systemClock;
    this.name = options.name ?? 'budget';
  }

  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.chain.then(() => this.take(signal));
    // A failed (aborted) turn must not stall the ones queued behind it.
    this.chain = turn.catch(() => undefined);
    return turn;
  }

  /** Milliseconds until a token is free at `now` (0: one is free now). Drops tokens that came back. */
  waitMs(now: number): number {
    const span = this.windowMs + this.marginMs;
    while (this.spent.length > 0 && this.spent[0]! + span <= now) this.spent.shift();
    return this.spent.length < this.limit ? 0 : this.spent[0]! + span - now;
  }

  /** Spends a token at `now`; callers check `waitMs(now) === 0` first, in the same tick. */
  spend(now: number): void {
    this.spent.push(now);
  }

  get clockSource(): Clock {
    return this.clock;
  }

  private async take(signal?: AbortSignal): Promise<void> {
    const started = this.clock.now();
    for (;;) {
      if (signal?.aborted) throw abortError(signal, `rate budget ${this.name}`);
      const now = this.clock.now();
      const wait = this.waitMs(now);
      if (wait === 0) {
        this.spend(now);
        this.waitedMs += now - started;
        return;
      }
      await this.clock.sleep(wait, signal);
    }
  }
}

/**
 * Takes a token from every budget at the same instant (an XML download counts against both the
 * XML and the API budget). Taking them one after the other would spend the first while waiting for
 * the second, and the request would then go out later than its first token says, breaking that
 * budget's window.
 */
export function allOf(...budgets: RateBudget[]): RateLimiter {
  const clock = budgets[0]?.clockSource ?? systemClock;
  const names = budgets.map((b) => b.name).join('+');
  return {
    async acquire(signal?: AbortSignal): Promise<void> {
      for (;;) {
        if (signal?.aborted) throw abortError(signal, `rate budgets ${names}`);
        const now = clock.now();
        const wait = Math.max(0, ...budgets.map((b) => b.waitMs(now)));
        if (wait === 0) {
          for (const b of budgets) b.spend(now);
          return;
        }
        await clock.sleep(wait, signal);
      }
    },
  };
}

/** Largest number of timestamps that fall into any window of `windowMs` (inclusive bounds). */
export function maxInAnyWindow(timestamps: readonly number[], windowMs: number): number {
  const sorted = [...timestamps].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! > windowMs) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
