import { AppError } from '../errors.js';

/**
 * Time as the HTTP layer sees it. Passed in, so that rate budgets and backoff can be tested with a
 * fixed clock and without waiting.
 */
export interface Clock {
  /** Milliseconds since the epoch (or any monotonic origin: only differences are used). */
  now(): number;
  /** Resolves after `ms`; rejects with FR_ABORTED as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function abortError(signal: AbortSignal | undefined, where: string): AppError {
  const reason: unknown = signal?.reason;
  const why = reason instanceof Error ? reason.message : reason === undefined ? 'aborted' : String(reason);
  return new AppError('FR_ABORTED', `${where}: request aborted by the caller (${why})`, {
    cause: reason,
    context: { where },
  });
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError(signal, 'sleep'));
        return;
      }
      if (ms <= 0) {
        resolve();
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortError(signal, 'sleep'));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * A clock that only moves when told to (or when someone sleeps on it). Sleeping advances time
 * instantly, so code under test runs at full speed while seeing the delays it asked for.
 */
export class ManualClock implements Clock {
  private t: number;
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortError(signal, 'sleep');
    this.sleeps.push(ms);
    if (ms > 0) this.t += ms;
  }
}
