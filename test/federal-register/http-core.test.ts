import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/http-client/clock.js';
import { statusError, toAppError } from '../../src/http-client/http.js';
import { allOf, maxInAnyWindow, RateBudget } from '../../src/http-client/rate-budget.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelayMs } from '../../src/http-client/retry.js';

/** Pure tier: retry arithmetic, Retry-After, the rate budget on a manual clock, error classes. */

describe('Retry-After', () => {
  const now = Date.parse('2024-05-08T12:00:00Z');
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Wed, 08 May 2024 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter(['7'], now)).toBe(7000);
  });
  it('never goes negative and ignores what it cannot read', () => {
    expect(parseRetryAfter('Wed, 08 May 2024 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('retry delay', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
  it('grows exponentially with jitter between half and all of the step, capped', () => {
    for (const [attempt, step] of [
      [1, 100],
      [2, 200],
      [3, 400],
      [6, 1000],
    ] as const) {
      expect(retryDelayMs(attempt, policy, undefined, () => 0)).toBe(step / 2);
      expect(retryDelayMs(attempt, policy, undefined, () => 0.999999)).toBe(step);
    }
  });
  it('never waits less than the server asked, even beyond the cap', () => {
    expect(retryDelayMs(1, policy, 5000, () => 0.5)).toBe(5000);
    expect(retryDelayMs(3, policy, 10, () => 0)).toBe(200);
  });
});

describe('rate budget', () => {
  it('lets at most `limit` requests into any window, however they are queued', async () => {
    const clock = new ManualClock(0);
    const budget = new RateBudget({ limit: 5, windowMs: 1000, clock });
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 23 }, () =>
        budget.acquire().then(() => {
          times.push(clock.now());
        }),
      ),
    );
    expect(times).toHaveLength(23);
    expect(maxInAnyWindow(times, 999)).toBeLessThanOrEqual(5);
    // and it does not starve: five per window
    expect(times[22]).toBe(4000);
  });

  it('keeps the margin between windows', async () => {
    const clock = new ManualClock(0);
    const budget = new RateBudget({ limit: 1, windowMs: 1000, marginMs: 100, clock });
    const times: number[] = [];
    for (let i = 0; i < 4; i++) {
      await budget.acquire();
      times.push(clock.now());
    }
    expect(times).toEqual([0, 1100, 2200, 3300]);
    expect(maxInAnyWindow(times, 1000)).toBe(1);
  });

  it('takes from every budget of allOf (an XML download counts as an API request too)', async () => {
    const clock = new ManualClock(0);
    const api = new RateBudget({ limit: 5, windowMs: 1000, clock });
    const xml = new RateBudget({ limit: 1, windowMs: 1000, clock });
    const both = allOf(xml, api);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await both.acquire();
      times.push(clock.now());
    }
    expect(times).toEqual([0, 1000, 2000]);
  });

  it('a waiter whose signal aborts leaves with FR_ABORTED and does not block the next', async () => {
    const budget = new RateBudget({ limit: 1, windowMs: 60_000 });
    await budget.acquire();
    const ac = new AbortController();
    const waiting = budget.acquire(ac.signal);
    ac.abort(new Error('job cancelled'));
    await expect(waiting).rejects.toMatchObject({ code: 'FR_ABORTED' });
  });

  it('maxInAnyWindow measures what it claims (inclusive window)', () => {
    expect(maxInAnyWindow([], 1000)).toBe(0);
    expect(maxInAnyWindow([0, 200, 400, 600, 800, 1000], 1000)).toBe(6);
    expect(maxInAnyWindow([0, 200, 400, 600, 800, 1001], 1000)).toBe(5);
  });
});

describe('error classes', () => {
  const now = 0;
  it('429 is retryable and carries Retry-After', () => {
    const e = statusError(429, { 'retry-after': '3' }, 'http://x/', 'FR search page 1', '', now);
    expect(e.code).toBe('FR_RATE_LIMITED');
    expect(e.retryable).toBe(true);
    expect(e.retryAfterMs).toBe(3000);
  });
  it('5xx is retryable, other 4xx permanent', () => {
    expect(statusError(503, {}, 'u', 'l', '', now)).toMatchObject({
      code: 'FR_HTTP_SERVER',
      retryable: true,
    });
    expect(statusError(500, {}, 'u', 'l', '', now).retryAfterMs).toBeUndefined();
    const e404 = statusError(404, {}, 'u', 'FR doc 2019-22210', '{"status":404}', now);
    expect(e404).toMatchObject({ code: 'FR_HTTP_STATUS', retryable: false });
    expect(e404.message).toContain('FR doc 2019-22210');
    expect(e404.context).toMatchObject({ status: 404 });
  });
  it('timeouts, network failures and aborts map to their codes', () => {
    expect(
      toAppError(Object.assign(new Error('t'), { code: 'UND_ERR_HEADERS_TIMEOUT' }), undefined, 'u', 'l')
        .code,
    ).toBe('FR_TIMEOUT');
    expect(
      toAppError(Object.assign(new Error('t'), { code: 'UND_ERR_BODY_TIMEOUT' }), undefined, 'u', 'l').code,
    ).toBe('FR_TIMEOUT');
    expect(
      toAppError(Object.assign(new Error('c'), { code: 'ECONNREFUSED' }), undefined, 'u', 'l').code,
    ).toBe('FR_NETWORK');
    expect(
      toAppError(Object.assign(new Error('s'), { code: 'UND_ERR_SOCKET' }), undefined, 'u', 'l').retryable,
    ).toBe(true);
    const ac = new AbortController();
    ac.abort();
    expect(toAppError(new Error('aborted'), ac.signal, 'u', 'l').code).toBe('FR_ABORTED');
  });
});
