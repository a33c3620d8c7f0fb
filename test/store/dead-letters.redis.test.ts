import type { Redis } from 'ioredis';
import { afterEach, beforeAll, afterAll, describe, expect, inject, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { DeadLetterStore, type DeadLetter } from '../../src/store/dead-letters.js';
import { createKeys, type Keys } from '../../src/store/keys.js';
import { createRedis } from '../../src/store/redis.js';
import { dropPrefix, uniquePrefix } from '../support/service.js';

const redisUrl = inject('redisUrl');

const letter = (n: number, subscriptionId: string): DeadLetter => ({
  eventId: `evt-${n}`,
  subscriptionId,
  eventType: 'gov.bis.entitylist.entry.added',
  attempts: 8,
  reason: 'HTTP 500',
  status: 500,
  at: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
});

describe('DeadLetterStore', () => {
  let redis: Redis;
  let prefix: string;
  let keys: Keys;
  beforeAll(() => {
    redis = createRedis(redisUrl, 'client');
  });
  afterEach(async () => {
    await dropPrefix(redisUrl, prefix);
  });
  afterAll(() => redis.disconnect());
  const fresh = (name: string): DeadLetterStore => {
    prefix = uniquePrefix(name);
    keys = createKeys(prefix);
    return new DeadLetterStore(redis, keys);
  };

  it('lists every letter, or one subscription’s, newest first, never another’s of a longer id', async () => {
    const store = fresh('dl-list');
    // `sub_a` is a prefix of `sub_ab`: its range of the index must not take the other's letters.
    for (let n = 0; n < 6; n++) await store.add(letter(n, n % 2 === 0 ? 'sub_a' : 'sub_ab'));
    await store.add(letter(6, 'sub_b'));
    expect((await store.list()).map((l) => l.eventId)).toEqual([6, 5, 4, 3, 2, 1, 0].map((n) => `evt-${n}`));
    expect((await store.list('sub_a')).map((l) => l.eventId)).toEqual(['evt-4', 'evt-2', 'evt-0']);
    expect((await store.list('sub_ab')).map((l) => l.eventId)).toEqual(['evt-5', 'evt-3', 'evt-1']);
    expect(await store.list('sub_')).toEqual([]);
    expect(await store.list('sub_c')).toEqual([]);
    expect((await store.list('sub_b'))[0]).toEqual(letter(6, 'sub_b'));
    expect(await store.count()).toBe(7);
  });

  it('pages through more letters than one read takes, in order', async () => {
    const store = fresh('dl-pages');
    const wanted: string[] = [];
    for (let n = 0; n < 2600; n++) {
      const sub = n % 3 === 0 ? 'sub_x' : 'sub_y';
      await store.add(letter(n, sub));
      if (sub === 'sub_x') wanted.unshift(`evt-${n}`);
    }
    expect((await store.list('sub_x')).map((l) => l.eventId)).toEqual(wanted);
    const all = await store.list();
    expect(all).toHaveLength(2600);
    expect(all[0]!.eventId).toBe('evt-2599');
    expect(all[2599]!.eventId).toBe('evt-0');
  });

  it('removes by id exactly the letters taken, not those written since', async () => {
    const store = fresh('dl-remove');
    for (let n = 0; n < 4; n++) await store.add(letter(n, 'sub_a'));
    await store.add(letter(4, 'sub_b'));
    const taken = await store.ofSubscription('sub_a');
    await store.add(letter(5, 'sub_a')); // dead-lettered while the redelivery was under way
    expect(await store.remove(taken)).toBe(4);
    expect(await store.remove(taken)).toBe(0);
    expect((await store.list('sub_a')).map((l) => l.eventId)).toEqual(['evt-5']);
    expect((await store.list()).map((l) => l.eventId)).toEqual(['evt-5', 'evt-4']);
    expect(await store.count()).toBe(2);
  });

  it('keeps the newest up to the cap, trimming the oldest from both indexes', async () => {
    const store = (fresh('dl-cap'), new DeadLetterStore(redis, keys, { cap: 5 }));
    for (let n = 0; n < 9; n++) await store.add(letter(n, n < 6 ? 'sub_a' : 'sub_b'));
    expect((await store.list()).map((l) => l.eventId)).toEqual([8, 7, 6, 5, 4].map((n) => `evt-${n}`));
    expect((await store.list('sub_a')).map((l) => l.eventId)).toEqual(['evt-5', 'evt-4']);
    expect(await store.count()).toBe(5);
    expect(await redis.hlen(keys.deadLetterRecords)).toBe(5);
    expect(await redis.zcard(keys.deadLettersBySubscription)).toBe(5);
  });

  it('moves the letters of the old LIST layout into the index once, keeping their order', async () => {
    const store = fresh('dl-migrate');
    // The layout before the index: LPUSH of JSON, newest first; the same letter may be there twice.
    const old = [
      letter(0, 'sub_a'),
      letter(1, 'sub_b'),
      letter(2, 'sub_a'),
      letter(2, 'sub_a'),
      letter(3, 'sub_b'),
    ];
    for (const l of old) await redis.lpush(keys.legacyDeadLetters, JSON.stringify(l));
    const before = (await redis.lrange(keys.legacyDeadLetters, 0, -1)).map(
      (s) => JSON.parse(s) as DeadLetter,
    );

    // Two processes upgraded at once: one of them moves the letters, the other finds none.
    const other = new DeadLetterStore(redis, keys);
    const moved = await Promise.all([store.migrate(), other.migrate()]);
    expect(moved.sort()).toEqual([0, 5]);
    expect(await redis.exists(keys.legacyDeadLetters)).toBe(0);

    expect(await store.list()).toEqual(before);
    expect(await store.list('sub_a')).toEqual(before.filter((l) => l.subscriptionId === 'sub_a'));
    // Letters written after the upgrade come first; redelivery removes migrated letters by id.
    await store.add(letter(4, 'sub_a'));
    expect((await store.list('sub_a')).map((l) => l.eventId)).toEqual(['evt-4', 'evt-2', 'evt-2', 'evt-0']);
    expect(await store.remove(await store.ofSubscription('sub_b'))).toBe(2);
    expect(await store.count()).toBe(4);
  });

  it('migrates a long list in short steps, in order, however many processes share the work', async () => {
    const store = fresh('dl-migrate-steps');
    const old = Array.from({ length: 57 }, (_, n) => letter(n, `sub_${n % 4}`));
    for (const l of old) await redis.lpush(keys.legacyDeadLetters, JSON.stringify(l));
    const stores = [1, 2, 3].map(() => new DeadLetterStore(redis, keys, { migrateBatch: 5 }));
    const moved = await Promise.all(stores.map((s) => s.migrate()));
    expect(moved.reduce((a, b) => a + b, 0)).toBe(57);
    expect(await redis.exists(keys.legacyDeadLetters)).toBe(0);
    expect(await store.list()).toEqual([...old].reverse());
    expect(await store.list('sub_1')).toEqual([...old].reverse().filter((l) => l.subscriptionId === 'sub_1'));
  });

  it('migrates on first use, whatever that use is', async () => {
    const store = fresh('dl-first-use');
    await redis.lpush(keys.legacyDeadLetters, JSON.stringify(letter(0, 'sub_a')));
    expect(await store.count()).toBe(1);
    expect(await redis.exists(keys.legacyDeadLetters)).toBe(0);
  });

  it('reports a stored letter that is not one as STORE_CORRUPT, naming its key', async () => {
    const store = fresh('dl-corrupt');
    const id = await store.add(letter(0, 'sub_a'));
    await redis.hset(keys.deadLetterRecords, id, '{"eventId":');
    const err = await store.list('sub_a').catch((e: unknown) => e);
    expect(isAppError(err, 'STORE_CORRUPT')).toBe(true);
    expect((err as Error).message).toContain(keys.deadLetterRecords);
    expect((err as { context: unknown }).context).toEqual({ key: keys.deadLetterRecords, field: id });
  });
});
