import { AppError, type ErrorCode } from '../errors.js';

/**
 * When to try a failed delivery again, and what a response means. Pure: the clock and the random
 * source are arguments (Svix's `calculate_retry_delay` is the model).
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delays after the 1st, 2nd, … failed attempt: in the spirit of Svix, about 32 h in all. */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = Object.freeze([
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
]);

/** ±20 %: spreads the retries of one outage so they do not all land at the same second. */
export const DEFAULT_JITTER = 0.2;

export interface RetryPolicy {
  /** Delay in ms after each failed attempt; its length is the number of retries. */
  schedule?: readonly number[];
  /** What the receiver asked for (`Retry-After`), already in ms. */
  retryAfterMs?: number;
  /**
   * Ceiling for `Retry-After`, so a receiver cannot park a delivery for a year. Defaults to the
   * longest delay of the schedule.
   */
  maxRetryAfterMs?: number;
  /** Uniform random in [0, 1). Without it there is no jitter, which keeps tests deterministic. */
  rng?: () => number;
  /** Fraction of the scheduled delay that jitter may add or remove. */
  jitter?: number;
}

/**
 * The delay before the next attempt, after `attempt` attempts have failed (1 after the first), or
 * `'exhausted'` when the schedule has no more retries (the delivery goes to the dead-letter queue).
 * A `Retry-After` longer than the schedule wins, up to `maxRetryAfterMs`.
 */
export function nextDelay(attempt: number, policy: RetryPolicy = {}): number | 'exhausted' {
  const schedule = policy.schedule ?? DEFAULT_RETRY_SCHEDULE_MS;
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new AppError(
      'INPUT_INVALID',
      `nextDelay: attempt counts failed attempts from 1, got ${String(attempt)}`,
    );
  }
  const scheduled = schedule[attempt - 1];
  if (scheduled === undefined) return 'exhausted';
  let delay = scheduled;
  if (policy.rng) {
    const spread = policy.jitter ?? DEFAULT_JITTER;
    delay = Math.max(0, Math.round(scheduled * (1 + spread * (2 * policy.rng() - 1))));
  }
  const asked = policy.retryAfterMs;
  if (asked !== undefined && Number.isFinite(asked) && asked > delay) {
    const ceiling = policy.maxRetryAfterMs ?? Math.max(0, ...schedule);
    delay = Math.max(delay, Math.min(asked, ceiling));
  }
  return delay;
}

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, as ms from `now` (ms since the
 * epoch). Undefined when absent or unreadable; a date in the past means "now" (0).
 */
export function parseRetryAfter(
  value: string | readonly string[] | null | undefined,
  now: number,
): number | undefined {
  const raw = typeof value === 'string' ? value : value?.[0];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * SECOND) ? seconds * SECOND : Number.MAX_SAFE_INTEGER;
  }
  // HTTP-dates always name a weekday or month; requiring a letter keeps odd numeric forms out.
  if (!/[A-Za-z]/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export type StatusVerdict =
  | { kind: 'delivered' }
  | { kind: 'gone'; code: 'WEBHOOK_GONE' }
  | {
      kind: 'retry';
      code: Extract<ErrorCode, 'WEBHOOK_REDIRECT' | 'WEBHOOK_RATE_LIMITED' | 'WEBHOOK_DELIVERY_FAILED'>;
    };

/**
 * What a receiver's status means (Standard Webhooks, "Delivery success and failure"): 2xx delivered;
 * 410 Gone disables the subscription; everything else, redirects included (never followed), is retried.
 */
export function classifyStatus(status: number): StatusVerdict {
  if (status >= 200 && status <= 299) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone', code: 'WEBHOOK_GONE' };
  if (status >= 300 && status <= 399) return { kind: 'retry', code: 'WEBHOOK_REDIRECT' };
  if (status === 429) return { kind: 'retry', code: 'WEBHOOK_RATE_LIMITED' };
  return { kind: 'retry', code: 'WEBHOOK_DELIVERY_FAILED' };
}
