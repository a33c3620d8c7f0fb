import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { startService } from '../../src/service.js';
import { DeadLetterStore } from '../../src/store/dead-letters.js';
import { createKeys } from '../../src/store/keys.js';
import { startLocalRedis, type LocalRedis } from '../../src/store/local-redis.js';
import { createRedis } from '../../src/store/redis.js';
import { StateStore } from '../../src/store/state.js';
import { createLogger } from '../../src/observe/logger.js';
import { call, plainReceiver, receivedIds, subscribe } from '../faults/support.js';
import { DEV_CORPUS, readSnapshot } from '../support/fixtures.js';
import { importBaseline, testConfig, uniquePrefix, waitFor } from '../support/service.js';
import { waitFor as until } from '../support/wait.js';
import { referenceRun } from '../support/reference.js';

/**
 * On a Redis Cluster a Lua script, a MULTI block or a pipeline may only touch keys of one slot;
 * the service keeps every key under one `{hash tag}` so that all of them live in one. This test
 * reads the keys each script really touches — the keys it declares and those of every command it
 * runs inside Redis, as MONITOR shows them and `COMMAND GETKEYS` names them — while the whole
 * pipeline runs the dev timeline on a redis-server of its own (polls, document discovery, the
 * cursor, the shared rate budget, the apply commit, fan-out, deliveries, BullMQ's own scripts),
 * plus the scripts the timeline does not reach (secret rotation, events that change no entry).
 */

/** The hash tag of a key as Redis Cluster computes it: `{…}`'s content, or the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

interface ScriptRun {
  /** The script's text (EVAL) or its sha (EVALSHA). */
  script: string;
  keys: Set<string>;
}

/** A command as MONITOR showed it, and whether a script ran it inside Redis. */
interface Seen {
  args: string[];
  inScript: boolean;
}

/** Records every command the server runs while `work` runs. */
async function monitored(url: string, work: () => Promise<void>): Promise<Seen[]> {
  const seen: Seen[] = [];
  const monitor = await new Redis(url).monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) =>
    seen.push({ args, inScript: source === 'lua' }),
  );
  try {
    await work();
    // MONITOR shows commands in the order the server ran them: once it shows this one, it has
    // shown every command of the work.
    const marker = `end-of-work-${Date.now()}`;
    const client = new Redis(url);
    try {
      await client.echo(marker);
    } finally {
      client.disconnect();
    }
    await until(() => seen.some((s) => s.args[0]?.toLowerCase() === 'echo' && s.args[1] === marker), {
      what: 'MONITOR to show the end of the work',
      timeout: 10_000,
    });
    seen.splice(seen.findIndex((s) => s.args[1] === marker));
  } finally {
    monitor.disconnect();
  }
  return seen;
}

/**
 * Each script run with the keys it touched (declared, and of every command it ran: MONITOR shows
 * those right after the EVAL), and every key of any command, as the server's COMMAND GETKEYS
 * names them.
 */
async function keysTouched(
  admin: Redis,
  seen: readonly Seen[],
): Promise<{ runs: ScriptRun[]; allKeys: Set<string> }> {
  const runs: ScriptRun[] = [];
  const allKeys = new Set<string>();
  const cache = new Map<string, string[]>();
  let run: ScriptRun | undefined;
  for (const { args, inScript } of seen) {
    const name = args[0]!.toUpperCase();
    if (!inScript) {
      run = undefined;
      if (name === 'EVAL' || name === 'EVALSHA') {
        run = { script: args[1]!, keys: new Set() };
        runs.push(run);
      }
    }
    const memo = JSON.stringify(args);
    let keys = cache.get(memo);
    if (!keys) {
      keys = (await admin.call('COMMAND', 'GETKEYS', ...args).catch(() => [])) as string[];
      cache.set(memo, keys);
    }
    for (const k of keys) {
      allKeys.add(k);
      run?.keys.add(k);
    }
  }
  return { runs, allKeys };
}

/** Our scripts, told apart by what their text does. */
const OUR_SCRIPTS: Record<string, RegExp> = {
  'state commit (entries, meta, events, event ids, document, pending)': /'status', 'applied'/,
  'events append (events, event ids)': /KEYS: 1 events, 2 eventIds/,
  'document discovery (document, pending, all)': /'discovered'/,
  'poll cursor (date, processed)': /cur < ARGV\[1\]/,
  'shared rate budget (api, xml)': /redis\.call\('TIME'\)/,
  'secret rotation (subscription)': /previousSecret/,
  'dead letter (letters, by time, by subscription, seq)': /-- dead letter add/,
  'dead letters of the old layout migrated (list, letters, by time, by subscription, seq)':
    /-- dead letters migrate/,
};

describe('every key a script touches shares the hash tag', () => {
  let dir: string;
  let redis: LocalRedis;
  let admin: Redis;
  let replay: ReplayServer | undefined;

  beforeAll(async () => {
    // A server of its own: MONITOR must see this test's traffic and nothing else.
    dir = mkdtempSync(join(tmpdir(), 'fedreg-hash-tags-'));
    redis = await startLocalRedis({ dir });
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin?.disconnect();
    await replay?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('over the whole dev timeline, and each of our scripts', async () => {
    const reference = referenceRun();
    const prefix = uniquePrefix('tag');
    const tag = hashTag(prefix);
    const baseline = readSnapshot(join(DEV_CORPUS, 'baseline.json'));
    const seen = await monitored(redis.url, async () => {
      replay = await createReplayServer({
        corpusDir: DEV_CORPUS,
        now: `${baseline.asOf}T23:59:59Z`,
        host: '127.0.0.1',
      });
      await importBaseline(redis.url, prefix);
      const config = testConfig(redis.url, prefix, replay.apiBase);
      const service = await startService({ config, logger: createLogger(config.logLevel) });
      const receiver = await plainReceiver();
      try {
        const sub = await subscribe(service.url!, receiver.url);
        replay!.setNow(Date.parse('2035-01-01T00:00:00Z'));
        await waitFor(
          'every event delivered',
          () => (receivedIds(receiver).size >= reference.events.length ? true : undefined),
          120_000,
        );
        // What the timeline does not reach: a secret rotation, events that change no entry.
        expect((await call(service.url!, 'POST', `/v1/subscriptions/${sub.id}/rotate-secret`)).status).toBe(
          200,
        );
        const client = createRedis(redis.url, 'client');
        try {
          const extra = { ...reference.events[0]!, id: 'hash-tag-test-extra' };
          await new StateStore(client, createKeys(prefix)).appendEvents([extra], {
            retentionMs: 1e12,
            now: Date.now(),
          });
          // A dead letter, after one left in the layout before the index (moved at first use).
          const letter = { eventId: extra.id, subscriptionId: sub.id, attempts: 8, reason: 'HTTP 500' };
          const at = new Date().toISOString();
          await client.lpush(createKeys(prefix).legacyDeadLetters, JSON.stringify({ ...letter, at }));
          await new DeadLetterStore(client, createKeys(prefix)).add({ ...letter, at });
        } finally {
          client.disconnect();
        }
      } finally {
        await service.close();
        await receiver.close();
      }
    });

    const { runs, allKeys } = await keysTouched(admin, seen);
    expect(runs.length).toBeGreaterThan(100);

    // Each of our scripts ran, and every key it touched carries the tag.
    const table: Record<string, string[]> = {};
    for (const [name, pattern] of Object.entries(OUR_SCRIPTS)) {
      const mine = runs.filter((r) => pattern.test(r.script));
      expect(mine.length, `${name} never ran`).toBeGreaterThan(0);
      const keys = new Set(mine.flatMap((r) => [...r.keys]));
      table[name] = [
        ...new Set(
          [...keys].map((k) =>
            k
              .replace(prefix, '<prefix>')
              .replace(/:doc:[^:]+$/, ':doc:<number>')
              .replace(/:subscription:[^:]+$/, ':subscription:<id>'),
          ),
        ),
      ].sort();
      expect(
        [...keys].filter((k) => hashTag(k) !== tag),
        name,
      ).toEqual([]);
    }
    // BullMQ's scripts (EVALSHA, or EVAL of their text): one tag per run as well.
    const bullmq = runs.filter((r) => !Object.values(OUR_SCRIPTS).some((p) => p.test(r.script)));
    expect(bullmq.length).toBeGreaterThan(0);
    const crossing = bullmq.filter(
      (r) => new Set([...r.keys].map(hashTag)).size > 1 || [...r.keys].some((k) => hashTag(k) !== tag),
    );
    expect(crossing.map((r) => [...r.keys])).toEqual([]);
    // And no command of any kind touched a key outside the tag: MULTI blocks and pipelines too.
    expect([...allKeys].filter((k) => hashTag(k) !== tag)).toEqual([]);
    console.log(
      `hash tags: ${runs.length} script runs (${bullmq.length} BullMQ), ${allKeys.size} keys, all under {${tag}}\n` +
        Object.entries(table)
          .map(([name, keys]) => `  ${name}: ${keys.join(', ')}`)
          .join('\n'),
    );
  }, 240_000);

  it('the check itself catches a key outside the tag', async () => {
    const seen = await monitored(redis.url, async () => {
      await admin.eval(
        "redis.call('SET', KEYS[1], 'x'); redis.call('SET', 'untagged-key', 'y'); return 1",
        1,
        '{t}:a',
      );
    });
    const { runs } = await keysTouched(admin, seen);
    const run = runs.find((r) => r.script.includes('untagged-key'));
    expect([...run!.keys].sort()).toEqual(['untagged-key', '{t}:a']);
    expect(new Set([...run!.keys].map(hashTag)).size).toBe(2);
    await admin.del('untagged-key', '{t}:a');
  });
});
