import type { RedisTarget } from '../config.js';
import type { RedisClient } from './redis.js';
import { AppError } from '../errors.js';
import {
  DeploymentRecord,
  DeploymentStore,
  judgeDeployment,
  targetAddress,
  type MarkerAuthor,
} from './deployment.js';
import type { DurabilityReport } from './durability.js';
import type { Keys } from './keys.js';

/**
 * One process's view of whether the store it works on still holds this deployment's data. Every
 * job, the poll schedulers' upkeep and the HTTP API ask it before they touch the store; the service
 * also checks it on a timer, so a loss is seen within seconds even when no job runs.
 */
export type DeploymentStatus =
  | { kind: 'unknown' }
  | { kind: 'intact'; epoch: string }
  | { kind: 'lost'; reason: string; lostEpoch?: string; detectedAt: string };

export interface DeploymentGuardOptions {
  now: () => number;
  /** The local record (DATA_DIR); undefined: none is kept. */
  record?: DeploymentRecord;
  /** How long a check's answer is reused (default 250 ms): many jobs at once cost one read. */
  maxAgeMs?: number;
  /** Who writes a marker where there is none (default: a starting process). */
  author?: MarkerAuthor;
}

export class DeploymentGuard {
  readonly store: DeploymentStore;
  /** What the last start-up check of the Redis configuration found (set by the service). */
  durability: DurabilityReport | undefined;
  /** The last failure to write the local record, if any (a read-only DATA_DIR). */
  recordError: string | undefined;
  private known: string | undefined;
  private current: DeploymentStatus = { kind: 'unknown' };
  private checkedAt = -Infinity;
  private inflight: Promise<DeploymentStatus> | undefined;
  private readonly listeners: Array<(now: DeploymentStatus, before: DeploymentStatus) => void> = [];

  constructor(
    private readonly redis: RedisClient,
    keys: Keys,
    private readonly options: DeploymentGuardOptions,
  ) {
    this.store = new DeploymentStore(redis, keys);
  }

  /** The answer of the last check, without asking Redis. */
  status(): DeploymentStatus {
    return this.current;
  }

  isLost(): boolean {
    return this.current.kind === 'lost';
  }

  /** Called when the status changes between intact and lost (either way). */
  onChange(listener: (now: DeploymentStatus, before: DeploymentStatus) => void): void {
    this.listeners.push(listener);
  }

  /** Reads the marker (or reuses an answer younger than `maxAgeMs`) and judges it. */
  async check(maxAgeMs = this.options.maxAgeMs ?? 250): Promise<DeploymentStatus> {
    // A connection lost and being re-made answers nothing for seconds: /readyz and jobs must not
    // wait on it (they have their own answer for a Redis that is away), and it proves no loss.
    if (['reconnecting', 'close', 'end'].includes(this.redis.status))
      throw new AppError('REDIS_UNAVAILABLE', `Redis is not connected (${this.redis.status})`);
    if (maxAgeMs > 0 && this.options.now() - this.checkedAt < maxAgeMs && this.current.kind !== 'unknown')
      return this.current;
    this.inflight ??= this.judge().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /**
   * Whether work must not run now because the store lost its data. A Redis that does not answer is
   * not a loss: the last answer stands, and the work fails on its own and is retried.
   */
  async blocked(): Promise<boolean> {
    try {
      return (await this.check()).kind === 'lost';
    } catch {
      return this.isLost();
    }
  }

  private async judge(): Promise<DeploymentStatus> {
    const now = this.options.now();
    const { store } = this;
    let marker = await store.read();
    const recorded = this.options.record?.read();
    let verdict = judgeDeployment({
      marker,
      known: this.known,
      recorded,
      hasData: marker ? true : await store.hasData(),
      markerKey: store.key,
    });
    if (verdict.kind === 'first-run' || verdict.kind === 'adopt') {
      marker = await store.claim(
        verdict.kind === 'adopt' ? 'adopted' : (this.options.author ?? 'start'),
        now,
      );
      verdict = judgeDeployment({ marker, known: this.known, recorded, hasData: true, markerKey: store.key });
    }
    let next: DeploymentStatus;
    if (verdict.kind === 'intact') {
      next = { kind: 'intact', epoch: verdict.epoch };
      if (this.known !== verdict.epoch || recorded !== verdict.epoch) this.remember(verdict.epoch, now);
    } else if (verdict.kind === 'lost') {
      const lostEpoch = verdict.lostEpoch ?? '';
      if (!marker?.lostAt) await store.markLost(marker?.epoch, lostEpoch, verdict.reason, now);
      next = {
        kind: 'lost',
        reason: verdict.reason,
        ...(verdict.lostEpoch ? { lostEpoch: verdict.lostEpoch } : {}),
        detectedAt:
          this.current.kind === 'lost'
            ? this.current.detectedAt
            : (marker?.lostAt ?? new Date(now).toISOString()),
      };
    } else {
      next = { kind: 'unknown' };
    }
    const before = this.current;
    this.current = next;
    this.checkedAt = now;
    if (before.kind !== next.kind && next.kind !== 'unknown') {
      for (const listener of this.listeners) listener(next, before);
    }
    return next;
  }

  private remember(epoch: string, now: number): void {
    this.known = epoch;
    try {
      this.options.record?.write(epoch, now);
      this.recordError = undefined;
    } catch (err) {
      this.recordError = err instanceof Error ? err.message : String(err);
    }
  }
}

/** The guard for a Redis (server, cluster or Sentinel group) and key prefix, with its local record under `dataDir`. */
export function createDeploymentGuard(
  redis: RedisClient,
  keys: Keys,
  options: { redis: RedisTarget; dataDir: string; now: () => number; author?: MarkerAuthor },
): DeploymentGuard {
  return new DeploymentGuard(redis, keys, {
    now: options.now,
    record: new DeploymentRecord(options.dataDir, targetAddress(options.redis), keys.prefix),
    ...(options.author ? { author: options.author } : {}),
  });
}
