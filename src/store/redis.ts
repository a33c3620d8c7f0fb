import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { HostPort, RedisTarget } from '../config.js';
import { AppError, isAppError } from '../errors.js';

/**
 * Redis connections. BullMQ workers block on Redis and must never give up a command
 * (`maxRetriesPerRequest: null`); request-serving code should fail fast instead, so a Redis outage
 * shows as 503 from /readyz rather than hung requests.
 *
 * A connection is to one server (`REDIS_URL`), to a Redis Cluster through ioredis' cluster client
 * (`REDIS_CLUSTER_NODES`), or to the primary that Sentinel names (`REDIS_SENTINELS`,
 * `REDIS_SENTINEL_NAME`). Every key of the service carries the `{fedreg}` hash tag, so on a
 * cluster they all live in one slot: the Lua scripts, MULTI blocks and pipelines that touch
 * several keys run there unchanged (see test/topology/hash-tags.redis.test.ts).
 */
export type RedisRole = 'worker' | 'client';

/** What the stores and stages talk to: one server's connection, or the cluster client. */
export type RedisClient = Redis | Cluster;

/**
 * A write answered READONLY went to a server that is a replica now (a primary demoted after a
 * failover, still reachable): reconnect, which asks Sentinel or the cluster for the primary
 * again, and send the command once more (2) rather than failing it.
 */
const reconnectWhenDemoted = (err: Error): 2 | false => (err.message.startsWith('READONLY') ? 2 : false);

/** How long to wait between reconnection attempts, whichever topology. */
const reconnectDelay = (times: number): number => Math.min(times * 200, 2_000);

export function createRedis(url: string, role: RedisRole, extra?: RedisOptions): Redis;
export function createRedis(target: RedisTarget, role: RedisRole, extra?: RedisOptions): RedisClient;
export function createRedis(
  target: string | RedisTarget,
  role: RedisRole,
  extra: RedisOptions = {},
): RedisClient {
  const t: RedisTarget = typeof target === 'string' ? { kind: 'standalone', url: target } : target;
  const common: RedisOptions = {
    maxRetriesPerRequest: role === 'worker' ? null : 3,
    enableReadyCheck: true,
    connectTimeout: 5_000,
    reconnectOnError: reconnectWhenDemoted,
  };
  let redis: RedisClient;
  switch (t.kind) {
    case 'standalone':
      redis = new Redis(t.url, { ...common, retryStrategy: reconnectDelay, lazyConnect: false, ...extra });
      break;
    case 'cluster':
      redis = new Cluster(toNodes(t.nodes), clusterOptions(t, { ...common, ...extra }));
      break;
    case 'sentinel':
      redis = new Redis({ ...sentinelOptions(t), ...common, retryStrategy: reconnectDelay, ...extra });
      break;
  }
  // Connection errors are reported through readiness and the logs of whoever uses it;
  // an unhandled 'error' event would crash the process on the first Redis restart.
  redis.on('error', () => {});
  return redis;
}

/**
 * Whether the topology answers PING now, without retrying: the first-run check before a command
 * starts. A cluster answers once its slots are known and a node PONGs; Sentinel once it names a
 * primary that PONGs.
 */
export async function pingTarget(target: RedisTarget, timeoutMs = 3_000): Promise<boolean> {
  const quick: RedisOptions = { connectTimeout: timeoutMs, maxRetriesPerRequest: 0, lazyConnect: true };
  const client: RedisClient =
    target.kind === 'cluster'
      ? new Cluster(toNodes(target.nodes), {
          ...clusterOptions(target, quick),
          clusterRetryStrategy: () => null,
          enableOfflineQueue: false,
          lazyConnect: true,
        })
      : target.kind === 'sentinel'
        ? new Redis({
            ...sentinelOptions(target),
            ...quick,
            retryStrategy: () => null,
            sentinelRetryStrategy: () => null,
            enableOfflineQueue: false,
          })
        : new Redis(target.url, { ...quick, retryStrategy: () => null, enableOfflineQueue: false });
  client.on('error', () => {});
  let timer: NodeJS.Timeout | undefined;
  try {
    const answer = Promise.race([
      client.connect().then(() => client.ping()),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    return (await answer) === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/** The topology in words, for messages (no credentials). */
export function describeTarget(target: RedisTarget): string {
  const list = (xs: readonly HostPort[]): string => xs.map(hostPort).join(', ');
  switch (target.kind) {
    case 'standalone':
      return target.url.replace(/\/\/[^@/]*@/, '//***@');
    case 'cluster':
      return `the Redis Cluster at ${list(target.nodes)}`;
    case 'sentinel':
      return `the primary "${target.name}" of the Sentinels at ${list(target.sentinels)}`;
  }
}

const hostPort = (h: HostPort): string =>
  h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;

const toNodes = (nodes: readonly HostPort[]): Array<{ host: string; port: number }> =>
  nodes.map(({ host, port }) => ({ host, port }));

function auth(t: { username?: string; password?: string; tls?: boolean }): RedisOptions {
  return {
    ...(t.username ? { username: t.username } : {}),
    ...(t.password ? { password: t.password } : {}),
    ...(t.tls ? { tls: {} } : {}),
  };
}

function clusterOptions(t: Extract<RedisTarget, { kind: 'cluster' }>, node: RedisOptions): ClusterOptions {
  const { retryStrategy: _ignored, enableOfflineQueue: _offline, ...redisOptions } = node;
  return {
    redisOptions: { ...redisOptions, ...auth(t) },
    clusterRetryStrategy: reconnectDelay,
    enableReadyCheck: true,
    // Reads go to primaries too: a replica may be behind, and the pipeline reads what it just wrote.
    scaleReads: 'master',
    // While a primary fails over (cluster-node-timeout, then the replica's election), commands to
    // its slots fail with "Connection is closed" or CLUSTERDOWN; retry them after refreshing the
    // slot map rather than failing at once. 16 redirections × 500 ms cover a failover of ~8 s.
    retryDelayOnFailover: 500,
    retryDelayOnClusterDown: 500,
    retryDelayOnTryAgain: 200,
    slotsRefreshTimeout: 2_000,
    ...(node.lazyConnect ? { lazyConnect: true } : {}),
  };
}

function sentinelOptions(t: Extract<RedisTarget, { kind: 'sentinel' }>): RedisOptions {
  return {
    sentinels: toNodes(t.sentinels),
    name: t.name,
    role: 'master',
    ...auth(t),
    ...(t.sentinelPassword ? { sentinelPassword: t.sentinelPassword } : {}),
    ...(t.tls ? { enableTLSForSentinelMode: true } : {}),
    // No `failoverDetector`: its +switch-master handler closes the connector even while a
    // reconnection is resolving the primary, and ioredis then ends the connection for good
    // ("Connection is closed.", no retry; seen in the Sentinel failover trial). A killed primary
    // drops its sockets, so the reconnection asks Sentinel anyway; a primary demoted but still
    // reachable answers writes with READONLY, which reconnects (`reconnectOnError`).
    sentinelRetryStrategy: reconnectDelay,
  };
}

/**
 * A failed Redis command as the retryable `REDIS_UNAVAILABLE`: a primary failing over, a cluster
 * refreshing its slots or a server restarting is never the fault of the document or delivery
 * being worked on, so the job backs off and tries again instead of quarantining it.
 */
export function redisUnavailable(err: unknown, where: string): AppError {
  if (isAppError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('REDIS_UNAVAILABLE', `${where}: Redis did not answer (${message}); will retry`, {
    cause: err,
  });
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

/**
 * Whether Redis answers for the deployment's keys within `timeoutMs`: readiness. On a cluster a
 * bare PING goes to whichever node ioredis picks; EXISTS on a key of the deployment (every key
 * shares its hash slot) asks the primary that holds the data, so a cluster whose slot is down is
 * not ready even while other nodes answer.
 */
export async function answersFor(redis: RedisClient, key: string, timeoutMs = 1_000): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    const asked: Promise<boolean> =
      redis instanceof Cluster ? redis.exists(key).then(() => true) : redis.ping().then((r) => r === 'PONG');
    // Settled either way, so an answer that comes after the timeout is never an unhandled rejection.
    const answer = asked.catch(() => false);
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return await Promise.race([answer, late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
