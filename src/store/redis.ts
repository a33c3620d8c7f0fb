import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections. BullMQ workers block on Redis and must never give up a command
 * (`maxRetriesPerRequest: null`); request-serving code should fail fast instead, so a Redis outage
 * shows as 503 from /readyz rather than hung requests.
 */
export type RedisRole = 'worker' | 'client';

export function createRedis(url: string, role: RedisRole, extra: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    enableReadyCheck: true,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
    ...extra,
  });
  // Connection errors are reported through readiness and the logs of whoever uses it;
  // an unhandled 'error' event would crash the process on the first Redis restart.
  redis.on('error', () => {});
  return redis;
}

/**
 * Whether an error is Redis being away (ioredis gave up on a command, the connection dropped, the
 * server is loading or read-only after a failover), not a fault of the work in hand: stages retry
 * such work rather than quarantine it.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError') return true;
  return /^(LOADING|READONLY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN)\b|Connection is closed|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT/.test(
    err.message,
  );
}
