import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RedisClient } from './redis.js';
import type { Keys } from './keys.js';
import type { RedisTarget } from '../config.js';

/**
 * How the service knows that Redis lost its data. A Redis that restarts without persistence, fails
 * over to an empty replica, evicts, or is FLUSHALLed looks exactly like a first run; the service
 * must not take it for one (seed from eCFR, poll, announce the whole list again).
 *
 * Two records say "this deployment wrote to this Redis before":
 *  - the deployment marker, a hash in Redis (`<prefix>:deployment`) holding a random epoch, written
 *    once when the deployment first writes (first start, `state import`, `recover`);
 *  - a local record of that epoch in a file under DATA_DIR, one per Redis address and key prefix,
 *    written by every process that saw the marker.
 * A running process also keeps the epoch it saw in memory. Redis without the marker, while the
 * process or the local record knew it, is a loss; so is a marker with another epoch that no
 * operator action wrote. A loss found by one process is written into the marker (`lostAt`), so
 * every process sharing the Redis sees it, until `fedreg-watch recover` writes a new epoch.
 */
export type MarkerAuthor = 'start' | 'adopted' | 'state import' | 'recover';

export interface DeploymentMarker {
  epoch: string;
  createdAt: string;
  createdBy: MarkerAuthor;
  lostAt?: string;
  lostEpoch?: string;
  lostReason?: string;
  recoveredAt?: string;
  recoveredFrom?: string;
}

export type DeploymentVerdict =
  | { kind: 'intact'; epoch: string }
  | { kind: 'first-run' }
  | { kind: 'adopt' }
  | { kind: 'lost'; reason: string; lostEpoch?: string };

/** Marker authors that are an operator's act: a new epoch from one of them is not a loss. */
const OPERATOR_AUTHORS: readonly MarkerAuthor[] = ['state import', 'recover'];

/**
 * The judgement, pure: what the marker in Redis (if any), the epoch this process saw (if any), the
 * local record (if any) and whether Redis holds any of the service's data say together.
 */
export function judgeDeployment(input: {
  marker?: DeploymentMarker | undefined;
  known?: string | undefined;
  recorded?: string | undefined;
  hasData: boolean;
  markerKey: string;
}): DeploymentVerdict {
  const { marker, known, recorded, markerKey } = input;
  if (marker?.lostAt) {
    return {
      kind: 'lost',
      reason: marker.lostReason ?? 'Redis lost this deployment’s data',
      ...(marker.lostEpoch ? { lostEpoch: marker.lostEpoch } : {}),
    };
  }
  if (!marker) {
    if (known)
      return {
        kind: 'lost',
        reason: `Redis lost this deployment's data: the deployment marker ${markerKey} (epoch ${known}) that this process saw is gone (FLUSHALL, a restart without persistence, a failover to an empty replica, or eviction)`,
        lostEpoch: known,
      };
    if (recorded)
      return {
        kind: 'lost',
        reason: `Redis lost this deployment's data: it has no deployment marker ${markerKey}, but the local record says this deployment (epoch ${recorded}) wrote to it before`,
        lostEpoch: recorded,
      };
    return input.hasData ? { kind: 'adopt' } : { kind: 'first-run' };
  }
  const seen = known ?? recorded;
  if (seen === undefined || seen === marker.epoch || OPERATOR_AUTHORS.includes(marker.createdBy)) {
    return { kind: 'intact', epoch: marker.epoch };
  }
  return {
    kind: 'lost',
    reason: `Redis lost this deployment's data: its deployment marker (epoch ${seen}) was replaced by epoch ${marker.epoch}, written by a process that started on an emptied Redis, not by an operator`,
    lostEpoch: seen,
  };
}

const MARK_LOST_SCRIPT = `
-- KEYS: 1 marker. ARGV: 1 epoch judged ('' for no marker), 2 lostAt, 3 lostEpoch, 4 reason
local epoch = redis.call('HGET', KEYS[1], 'epoch') or ''
if epoch ~= ARGV[1] then return 0 end
if epoch == '' then redis.call('HSET', KEYS[1], 'epoch', 'lost', 'createdAt', ARGV[2], 'createdBy', 'start') end
redis.call('HSETNX', KEYS[1], 'lostAt', ARGV[2])
redis.call('HSETNX', KEYS[1], 'lostEpoch', ARGV[3])
redis.call('HSETNX', KEYS[1], 'lostReason', ARGV[4])
return 1
`;

/** The marker in Redis. */
export class DeploymentStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  get key(): string {
    return this.keys.deployment;
  }

  async read(): Promise<DeploymentMarker | undefined> {
    const h = await this.redis.hgetall(this.keys.deployment);
    if (!h.epoch) return undefined;
    return h as unknown as DeploymentMarker;
  }

  /** Whether Redis holds any of the service's own data (state, events, subscriptions, documents). */
  async hasData(): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.exists(k.stateMeta, k.events, k.subscriptions, k.docsAll)) > 0;
  }

  /** Writes a marker with a new epoch when there is none; returns the marker now in Redis. */
  async claim(createdBy: MarkerAuthor, now: number): Promise<DeploymentMarker> {
    const fields = { epoch: newEpoch(), createdAt: new Date(now).toISOString(), createdBy };
    const created = await this.redis.hsetnx(this.keys.deployment, 'epoch', fields.epoch);
    if (created === 1) {
      await this.redis.hset(this.keys.deployment, 'createdAt', fields.createdAt, 'createdBy', createdBy);
      return fields;
    }
    return (await this.read()) ?? fields;
  }

  /**
   * Records a loss in the marker, unless the marker changed since it was judged (an operator's
   * `recover` may have just written a new one). Returns whether it recorded it.
   */
  async markLost(
    judgedEpoch: string | undefined,
    lostEpoch: string,
    reason: string,
    now: number,
  ): Promise<boolean> {
    const done = await this.redis.eval(
      MARK_LOST_SCRIPT,
      1,
      this.keys.deployment,
      judgedEpoch ?? '',
      new Date(now).toISOString(),
      lostEpoch,
      reason,
    );
    return done === 1;
  }

  /** A new epoch after an operator's recovery: replaces the marker, loss fields and all. */
  async replace(createdBy: MarkerAuthor, now: number, recoveredFrom?: string): Promise<DeploymentMarker> {
    const at = new Date(now).toISOString();
    const marker: DeploymentMarker = { epoch: newEpoch(), createdAt: at, createdBy };
    if (createdBy === 'recover') {
      marker.recoveredAt = at;
      if (recoveredFrom) marker.recoveredFrom = recoveredFrom;
    }
    await this.redis
      .multi()
      .del(this.keys.deployment)
      .hset(this.keys.deployment, marker as unknown as Record<string, string>)
      .exec();
    return marker;
  }
}

function newEpoch(): string {
  return `dep_${randomBytes(9).toString('base64url')}`;
}

/**
 * The local record: a small JSON file under DATA_DIR per Redis address and key prefix. It is what
 * tells a process starting on an emptied Redis that this deployment wrote there before; with a
 * DATA_DIR that does not survive the process (a container without a volume), only the marker in
 * Redis and the processes still running can tell.
 */
export class DeploymentRecord {
  readonly path: string;

  constructor(dataDir: string, redisAddress: string, prefix: string) {
    const id = createHash('sha256').update(`${redisAddress}\n${prefix}`).digest('hex').slice(0, 16);
    this.path = join(dataDir, 'deployments', `${id}.json`);
    this.address = redisAddress;
    this.prefix = prefix;
  }

  private readonly address: string;
  private readonly prefix: string;

  read(): string | undefined {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { epoch?: unknown };
      return typeof parsed.epoch === 'string' ? parsed.epoch : undefined;
    } catch {
      return undefined;
    }
  }

  write(epoch: string, now: number): void {
    mkdirSync(join(this.path, '..'), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(
      tmp,
      JSON.stringify(
        { epoch, redis: this.address, prefix: this.prefix, recordedAt: new Date(now).toISOString() },
        null,
        2,
      ) + '\n',
    );
    renameSync(tmp, this.path);
  }
}

/** A Redis URL as an address for the local record: host, port and database, never credentials. */
/**
 * What names a deployment's Redis in its local record: the URL's server and database, a cluster's
 * seed nodes (sorted, so their order in the configuration does not matter) or a Sentinel group's
 * primary name. Never credentials.
 */
export function targetAddress(target: RedisTarget): string {
  switch (target.kind) {
    case 'standalone':
      return redisAddress(target.url);
    case 'cluster':
      return `cluster:${target.nodes
        .map((n) => `${n.host}:${n.port}`)
        .sort()
        .join(',')}`;
    case 'sentinel':
      return `sentinel:${target.name}@${target.sentinels
        .map((n) => `${n.host}:${n.port}`)
        .sort()
        .join(',')}`;
  }
}

export function redisAddress(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}:${u.port || '6379'}${u.pathname && u.pathname !== '/' ? u.pathname : '/0'}`;
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

/**
 * Deletes what a loss left of the deployment under its prefix (an evicted store keeps a part,
 * which would make documents look applied that are not), except the subscriptions, which the
 * recovery keeps unless an export replaces them. Returns how many keys it deleted.
 */
export async function clearDeploymentData(redis: RedisClient, keys: Keys): Promise<number> {
  const pattern = `${keys.prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
  const keep = (key: string): boolean =>
    key === keys.subscriptions || key.startsWith(`${keys.prefix}:subscription:`);
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    const doomed = found.filter((k) => !keep(k));
    if (doomed.length > 0) deleted += await redis.del(...doomed);
  } while (cursor !== '0');
  return deleted;
}
