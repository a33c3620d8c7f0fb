import type { Snapshot } from '../entity-list/types.js';
import { decodeOptional, isJson, isObject, isSnapshot, type Shape } from './codec.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * Commerce's own lists (eCFR Supplement No. 4, the CSL) as the circuit breaker keeps them: each
 * source's last accepted list with its facts, and the list it holds back for an operator.
 */
export interface HeldSnapshot {
  snapshot: Snapshot;
  heldAt: string;
  anomalyId?: string;
  removals: number;
}

/** What `/v1/sources` says of a source's last accepted list. */
export interface AcceptedFacts {
  asOf: string;
  entries: number;
  acceptedAt: string;
}

const isHeld: Shape<HeldSnapshot> = function HeldSnapshot(v): v is HeldSnapshot {
  return isObject(v) && typeof v.heldAt === 'string' && isSnapshot(v.snapshot);
};

export class SourceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** The source's last accepted list. */
  async snapshot(source: string): Promise<Snapshot | undefined> {
    const key = this.keys.sourceSnapshot(source);
    return decodeOptional(await this.redis.get(key), key, isSnapshot);
  }

  /** Records a list as the source's last, without the facts of an acceptance (seeding, recovery). */
  async setSnapshot(source: string, snapshot: Snapshot): Promise<void> {
    await this.redis.set(this.keys.sourceSnapshot(source), JSON.stringify(snapshot));
  }

  /** Accepts a list: it becomes the source's last, a held one is dropped, the facts recorded. */
  async accept(source: string, snapshot: Snapshot, acceptedAt: string): Promise<void> {
    const facts: AcceptedFacts = { asOf: snapshot.asOf, entries: snapshot.entries.length, acceptedAt };
    await this.redis
      .multi()
      .set(this.keys.sourceSnapshot(source), JSON.stringify(snapshot))
      .del(this.keys.sourceHeld(source))
      .hset(this.keys.sourceState, source, JSON.stringify(facts))
      .exec();
  }

  /** The facts of each source's last accepted list, by source. */
  async accepted(): Promise<Record<string, unknown>> {
    const raw = await this.redis.hgetall(this.keys.sourceState);
    return Object.fromEntries(
      Object.entries(raw).map(([source, json]) => [
        source,
        decodeOptional(json, { key: this.keys.sourceState, field: source }, isJson),
      ]),
    );
  }

  async hold(source: string, held: HeldSnapshot): Promise<void> {
    await this.redis.set(this.keys.sourceHeld(source), JSON.stringify(held));
  }

  async held(source: string): Promise<HeldSnapshot | undefined> {
    const key = this.keys.sourceHeld(source);
    return decodeOptional(await this.redis.get(key), key, isHeld);
  }

  /**
   * How many removals each source's held list carries (undefined: none held): what the metrics
   * read at every scrape, without checking the lists themselves.
   */
  async heldRemovals(sources: readonly string[]): Promise<Record<string, number | undefined>> {
    const raw = await Promise.all(sources.map((s) => this.redis.get(this.keys.sourceHeld(s))));
    return Object.fromEntries(
      sources.map((s, i) => {
        const held = decodeOptional(raw[i], this.keys.sourceHeld(s), isObject);
        return [s, held ? (typeof held.removals === 'number' ? held.removals : 0) : undefined];
      }),
    );
  }

  /**
   * Claims the right to seed the state from eCFR for a few minutes: one process seeds while the
   * others wait for it. False when another holds the claim.
   */
  async claimSeeding(now: number): Promise<boolean> {
    return (await this.redis.set(`${this.keys.stateMeta}:seeding`, String(now), 'EX', 300, 'NX')) === 'OK';
  }
}
