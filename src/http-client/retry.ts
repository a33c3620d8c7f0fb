/**
 * Pure retry arithmetic: how long to wait before the next attempt, and what a `Retry-After`
 * header asks for. No clock is read here; callers pass `nowMs`.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** Backoff before attempt 2; doubles each attempt. */
  baseDelayMs: number;
  /** Cap on the computed backoff (not on what the server asks for). */
  maxDelayMs: number;
  /**
   * A server asking for a longer wait than this is not waited for in-process: the error is
   * thrown with its `retryAfterMs` so that the job queue schedules the retry instead.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
});

/**
 * Delay before attempt `attempt + 1`, after `attempt` failed attempts (attempt >= 1).
 * Exponential backoff with "equal jitter" (half fixed, half random) so that concurrent clients
 * spread out but never retry immediately; a server's `Retry-After` is a floor, never shortened.
 */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (random() * exp) / 2;
  const floor = retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : 0;
  return Math.ceil(Math.max(jittered, floor));
}

/**
 * `Retry-After` is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns milliseconds
 * from `nowMs`, never negative; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only accept something that looks like an HTTP date: Date.parse is lenient with garbage.
  if (!/^[A-Za-z]{3},? /.test(text) && !/\d{4}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
