import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_SCHEDULE_MS,
  classifyStatus,
  nextDelay,
  parseRetryAfter,
} from '../../src/delivery/retry.js';

const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;

describe('nextDelay', () => {
  it('follows the default schedule, then is exhausted', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => nextDelay(attempt));
    expect(delays).toEqual([5 * S, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 10 * H, 'exhausted']);
    expect(DEFAULT_RETRY_SCHEDULE_MS).toHaveLength(7);
  });

  it('takes a configured schedule', () => {
    const schedule = [10, 20];
    expect([1, 2, 3].map((a) => nextDelay(a, { schedule }))).toEqual([10, 20, 'exhausted']);
    expect(nextDelay(1, { schedule: [] })).toBe('exhausted');
  });

  it('jitters within ±20 % by default, using the random source it is given', () => {
    expect(nextDelay(2, { rng: () => 0 })).toBe(4 * MIN);
    expect(nextDelay(2, { rng: () => 0.5 })).toBe(5 * MIN);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.double({ min: 0, max: 0.9999999, noNaN: true }),
        (attempt, r) => {
          const base = DEFAULT_RETRY_SCHEDULE_MS[attempt - 1]!;
          const d = nextDelay(attempt, { rng: () => r }) as number;
          return d >= Math.floor(base * 0.8) && d <= Math.ceil(base * 1.2);
        },
      ),
    );
  });

  it('honours a longer Retry-After, a shorter one changes nothing', () => {
    expect(nextDelay(1, { retryAfterMs: 60 * S })).toBe(60 * S);
    expect(nextDelay(3, { retryAfterMs: 60 * S })).toBe(30 * MIN);
  });

  it('caps Retry-After at the longest scheduled delay, or the cap given', () => {
    expect(nextDelay(1, { retryAfterMs: 365 * 24 * H })).toBe(10 * H);
    expect(nextDelay(1, { retryAfterMs: 365 * 24 * H, maxRetryAfterMs: H })).toBe(H);
    expect(nextDelay(1, { retryAfterMs: Number.POSITIVE_INFINITY })).toBe(5 * S);
  });

  it('never retries past the schedule, whatever Retry-After says', () => {
    expect(nextDelay(8, { retryAfterMs: 1 })).toBe('exhausted');
  });

  it('refuses a nonsense attempt number', () => {
    for (const a of [0, -1, 1.5, Number.NaN]) {
      expect(() => nextDelay(a)).toThrow(expect.objectContaining({ code: 'INPUT_INVALID' }));
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2024, 0, 15, 12, 0, 0);

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120 * S);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter(['7', '9'], now)).toBe(7 * S);
  });

  it('reads the three HTTP-date forms relative to now', () => {
    expect(parseRetryAfter('Mon, 15 Jan 2024 12:01:30 GMT', now)).toBe(90 * S);
    expect(parseRetryAfter('Monday, 15-Jan-24 12:00:10 GMT', now)).toBe(10 * S);
    expect(parseRetryAfter('Mon Jan 15 12:00:05 2024', now)).toBeDefined();
  });

  it('treats a date in the past as now', () => {
    expect(parseRetryAfter('Mon, 15 Jan 2024 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const v of [undefined, null, '', 'soon', '-5', '1.5', '2024-01-15', []]) {
      expect(parseRetryAfter(v as string | undefined, now)).toBeUndefined();
    }
  });

  it('does not overflow on absurd values', () => {
    expect(Number.isSafeInteger(parseRetryAfter('99999999999999999999999', now))).toBe(true);
  });
});

describe('classifyStatus', () => {
  it('follows Standard Webhooks: 2xx success, 410 disables, everything else retries', () => {
    expect(classifyStatus(200)).toEqual({ kind: 'delivered' });
    expect(classifyStatus(204)).toEqual({ kind: 'delivered' });
    expect(classifyStatus(299)).toEqual({ kind: 'delivered' });
    expect(classifyStatus(410)).toEqual({ kind: 'gone', code: 'WEBHOOK_GONE' });
    expect(classifyStatus(301)).toEqual({ kind: 'retry', code: 'WEBHOOK_REDIRECT' });
    expect(classifyStatus(308)).toEqual({ kind: 'retry', code: 'WEBHOOK_REDIRECT' });
    expect(classifyStatus(304)).toEqual({ kind: 'retry', code: 'WEBHOOK_REDIRECT' });
    expect(classifyStatus(429)).toEqual({ kind: 'retry', code: 'WEBHOOK_RATE_LIMITED' });
    for (const s of [400, 401, 404, 409, 500, 502, 503, 504, 100, 600]) {
      expect(classifyStatus(s)).toEqual({ kind: 'retry', code: 'WEBHOOK_DELIVERY_FAILED' });
    }
  });
});
