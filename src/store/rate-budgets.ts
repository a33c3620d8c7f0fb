import { randomBytes } from 'node:crypto';
import { abortError, type Clock, systemClock } from '../http-client/clock.js';
import type { RateLimiter } from '../http-client/rate-budget.js';
import { redisUnavailable, type RedisClient } from './redis.js';

/**
 * The rate budget shared by every process on one Redis: the same sliding log as `RateBudget`
 * (at most `limit` requests in ANY window), kept in sorted sets and taken by a Lua script on the
 * Redis server's clock, so that two workers on two machines together still send the Federal
 * Register no more than 5 requests a second and 1 XML download. Several budgets are taken in one
 * step (an XML download spends an API token and an XML token at the same instant).
 */
export interface SharedBudget {
  limit: number;
  windowMs: number;
}

const TAKE_SCRIPT = `
-- KEYS: one sorted set per budget. ARGV: member, margin, then limit/window pairs.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local margin = tonumber(ARGV[2])
local wait = 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[1 + 2 * i])
  local span = tonumber(ARGV[2 + 2 * i]) + margin
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    local w = tonumber(oldest[2]) + span - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 + 2 * i]) + margin + 1000)
end
return 0
`;

export class RedisRateBudgets {
  private readonly clock: Clock;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: {
      /** Hash-tagged prefix shared by every key, e.g. `{fedreg}:fr:`. */
      prefix: string;
      budgets: Record<string, SharedBudget>;
      marginMs?: number;
      clock?: Clock;
    },
  ) {
    this.clock = options.clock ?? systemClock;
  }

  /** A limiter that takes a token from each named budget at once. */
  limiter(...names: string[]): RateLimiter {
    const budgets = names.map((n) => {
      const b = this.options.budgets[n];
      if (!b) throw new RangeError(`no shared budget named ${n}`);
      return { key: `${this.options.prefix}budget:${n}`, ...b };
    });
    const label = names.join('+');
    return {
      acquire: async (signal?: AbortSignal): Promise<void> => {
        for (;;) {
          if (signal?.aborted) throw abortError(signal, `shared rate budget ${label}`);
          const member = `${Date.now()}-${randomBytes(6).toString('hex')}`;
          const args: Array<string | number> = [member, this.options.marginMs ?? 100];
          for (const b of budgets) args.push(b.limit, b.windowMs);
          let wait: number;
          try {
            wait = Number(
              await this.redis.eval(TAKE_SCRIPT, budgets.length, ...budgets.map((b) => b.key), ...args),
            );
          } catch (err) {
            throw redisUnavailable(err, `shared rate budget ${label}`);
          }
          if (wait <= 0) return;
          await this.clock.sleep(wait, signal);
        }
      },
    };
  }
}
