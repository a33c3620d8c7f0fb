import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetterStore, type DeadLetter } from '../src/store/dead-letters.js';
import { createKeys, type Keys } from '../src/store/keys.js';
import { startLocalRedis } from '../src/store/local-redis.js';
import { createRedis, type RedisClient } from '../src/store/redis.js';
import { timeIt, type Benchmark, type BenchRow } from './harness.js';

/**
 * The dead-letter queue at its cap, the old way and the indexed way, side by side on one private
 * redis-server. The old layout was one LIST of JSON: listing a subscription's letters read and
 * parsed all of them, and redelivery then sent one LREM per letter, each scanning the list from
 * its head (quadratic). The index lists a subscription by its range and removes by id.
 *
 * N letters (BENCH_DEAD_LETTERS, default the cap, 100,000) over 100 subscriptions, one of which
 * (a receiver gone for days) holds a tenth of them. Listings are the median of 5 runs; a
 * redelivery empties what it measures, so each of its figures is one run.
 */
const N = Number(process.env.BENCH_DEAD_LETTERS ?? 100_000);
const BIG = 'sub_big';

function letters(): DeadLetter[] {
  const out: DeadLetter[] = [];
  for (let i = 0; i < N; i++) {
    out.push({
      eventId: `evt-${i}`,
      subscriptionId: i % 10 === 0 ? BIG : `sub_${i % 99}`,
      eventType: 'gov.bis.entitylist.entry.added',
      attempts: 8,
      reason: 'HTTP 503',
      status: 503,
      at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    });
  }
  return out;
}

/** The old layout: LPUSH of each letter, newest first (what `deadLetter` did). */
async function loadList(redis: RedisClient, keys: Keys, all: readonly DeadLetter[]): Promise<void> {
  await redis.del(keys.legacyDeadLetters);
  for (let i = 0; i < all.length; i += 10_000) {
    await redis.lpush(keys.legacyDeadLetters, ...all.slice(i, i + 10_000).map((l) => JSON.stringify(l)));
  }
}

/** The old listing: the whole list, parsed, filtered. */
async function oldList(redis: RedisClient, keys: Keys, subscriptionId: string): Promise<DeadLetter[]> {
  const all = (await redis.lrange(keys.legacyDeadLetters, 0, -1)).map((s) => JSON.parse(s) as DeadLetter);
  return all.filter((d) => d.subscriptionId === subscriptionId);
}

/** The old redelivery's reads and removals (the jobs it queues are the same either way). */
async function oldRedeliver(redis: RedisClient, keys: Keys, subscriptionId: string): Promise<number> {
  const raw = await redis.lrange(keys.legacyDeadLetters, 0, -1);
  const mine = raw.filter((s) => (JSON.parse(s) as DeadLetter).subscriptionId === subscriptionId);
  const tx = redis.multi();
  for (const s of mine) tx.lrem(keys.legacyDeadLetters, 1, s);
  await tx.exec();
  return mine.length;
}

async function ms<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

export const benchmark: Benchmark = {
  name: 'dead-letters',
  async run(): Promise<BenchRow[]> {
    const dir = mkdtempSync(join(tmpdir(), 'fedreg-bench-dead-letters-'));
    const server = await startLocalRedis({ dir, appendOnly: false });
    const redis = createRedis(server.url, 'client');
    const keys = createKeys('{bench-dl}');
    const all = letters();
    const rows: BenchRow[] = [];
    const group = `dead letters (${N})`;
    const pair = (name: string, old: number, indexed: number, note: string): void => {
      rows.push({ group, name: `${name}: one LIST (before)`, value: old, unit: 'ms', note });
      rows.push({
        group,
        name: `${name}: indexed`,
        value: indexed,
        unit: 'ms',
        ratio: indexed / old,
        note: 'ratio: indexed / LIST',
      });
    };
    try {
      // Loading: the migration of a full LIST into the index, as the first use after an upgrade does it.
      await loadList(redis, keys, all);
      // The same store afterwards: it migrated once, so the LIST loaded again stays beside the index.
      const store = new DeadLetterStore(redis, keys);
      const migration = await ms(() => store.migrate());
      rows.push({
        group,
        name: 'migration of a full LIST into the index (once)',
        value: migration.ms,
        unit: 'ms',
      });
      await loadList(redis, keys, all);

      const small = 'sub_7';
      const bigCount = all.filter((l) => l.subscriptionId === BIG).length;
      const smallCount = all.filter((l) => l.subscriptionId === small).length;
      for (const [sub, count] of [
        [small, smallCount],
        [BIG, bigCount],
      ] as const) {
        if ((await oldList(redis, keys, sub)).length !== count || (await store.list(sub)).length !== count)
          throw new Error('listings differ');
        const old = await timeIt(() => oldList(redis, keys, sub), 5, 1);
        const indexed = await timeIt(() => store.list(sub), 5, 1);
        pair(`list one subscription's ${count}`, old.median, indexed.median, 'median of 5');
      }
      const oldAll = await timeIt(
        async () =>
          (await redis.lrange(keys.legacyDeadLetters, 0, -1)).map((s) => JSON.parse(s) as DeadLetter),
        5,
        1,
      );
      const everything = await timeIt(() => store.list(), 5, 1);
      pair(`list all ${N}`, oldAll.median, everything.median, 'median of 5');

      for (const [sub, count] of [
        [small, smallCount],
        [BIG, bigCount],
      ] as const) {
        const old = await ms(() => oldRedeliver(redis, keys, sub));
        const indexed = await ms(async () => store.remove(await store.ofSubscription(sub)));
        if (old.value !== count || indexed.value !== count) throw new Error('redeliveries differ');
        pair(
          `redeliver one subscription's ${count}`,
          old.ms,
          indexed.ms,
          'read + remove; same jobs either way',
        );
      }
    } finally {
      redis.disconnect();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};
