import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FederalRegisterClient } from '../../src/federal-register/client.js';
import { DocumentCursor } from '../../src/store/cursor.js';
import { pollEntityListDocuments } from '../../src/federal-register/poll.js';
import { RedisConditionalStore } from '../../src/store/conditional-requests.js';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import type { StatsReport } from '../../src/replay/stats.js';
import { bisDocuments, corpusWithDates, getJson, testPrefix } from '../replay/helpers.js';

/**
 * Redis + HTTP tier: a timeline played by moving the replay server's clock. The poller (client +
 * cursor in a real Redis) must find every Entity List candidate exactly once, including three
 * documents on one date split over pages (per_page=2), and a document that appears in the API
 * two days after the others of its date, after the cursor has moved past that date.
 */

// Dates moved so that 2017-06-20 has three documents and 2021-11-04 three (one of them late).
const MOVES = {
  '2016-23223': '2017-06-20',
  '2018-04652': '2017-06-20',
  '2020-12437': '2021-11-04',
  '2020-17778': '2021-11-04',
  '2022-08173': '2021-11-08',
};
const LATE = { number: '2020-17778', availableAt: '2021-11-09T13:00:00Z' };

let redis: Redis;
let corpus: { dir: string; cleanup: () => void };
const prefixes: string[] = [];

beforeAll(() => {
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 3 });
  corpus = corpusWithDates(MOVES);
});
afterAll(async () => {
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  }
  redis.disconnect();
  corpus.cleanup();
});

interface Played {
  processed: Array<{ number: string; at: string }>;
  repeatPoll: { pages: number; notModifiedPages: number; found: number };
  stats: StatsReport;
  splitDatePages: number;
}

async function play(lookbackDays: number): Promise<Played> {
  const server: ReplayServer = await createReplayServer({
    corpusDir: corpus.dir,
    now: '2016-01-01T00:00:00Z',
  });
  const prefix = testPrefix();
  prefixes.push(prefix);
  const client = new FederalRegisterClient({
    baseUrl: server.apiBase,
    perPage: 2,
    http: { conditionalStore: new RedisConditionalStore(redis, { prefix }), retry: { baseDelayMs: 10 } },
  });
  const cursor = new DocumentCursor(redis, { prefix, startDate: '2016-01-01', lookbackDays });
  server.setOverride(LATE.number, { availableAt: Date.parse(LATE.availableAt) });
  const processed: Played['processed'] = [];
  let splitDatePages = 0;
  let repeatPoll: Played['repeatPoll'] = { pages: 0, notModifiedPages: 0, found: -1 };
  try {
    const dates = [...new Set(server.corpus.documents.map((d) => d.publicationDate))].sort();
    const steps = [
      ...dates.map((d) => `${d}T12:00:00Z`),
      '2021-11-05T12:00:00Z',
      '2021-11-06T12:00:00Z',
      LATE.availableAt,
      '2035-01-01T00:00:00Z',
    ].sort();
    for (const at of steps) {
      server.setNow(Date.parse(at));
      const signal = AbortSignal.timeout(30_000);
      const poll = await pollEntityListDocuments(client, cursor, { signal });
      if (at.startsWith('2017-06-20')) splitDatePages = poll.pages;
      for (const doc of poll.documents) {
        processed.push({ number: doc.document_number, at });
        await cursor.markProcessed(doc.document_number, doc.publication_date);
      }
      if (at === '2021-11-06T12:00:00Z') {
        // The clock moved but nothing was published since the 11-05 poll: the same query, all 304.
        repeatPoll = {
          pages: poll.pages,
          notModifiedPages: poll.notModifiedPages,
          found: poll.documents.length,
        };
      }
    }
    const stats = (await getJson(`${server.url}/_replay/stats`)).body as StatsReport;
    return { processed, repeatPoll, stats, splitDatePages };
  } finally {
    await client.close();
    await server.close();
  }
}

describe('poller timeline', () => {
  it(
    'finds every document exactly once, never before it is visible, within the rate budget',
    { timeout: 90_000 },
    async () => {
      const { processed, repeatPoll, stats, splitDatePages } = await play(7);
      const bis = bisDocuments(corpus.dir, readdirSync(join(corpus.dir, 'api')));
      expect(bis).toHaveLength(14);

      const numbers = processed.map((p) => p.number);
      expect(new Set(numbers).size).toBe(numbers.length); // never twice
      expect(new Set(numbers)).toEqual(new Set(bis.map((d) => d.number))); // never missed

      const dateOf = new Map(bis.map((d) => [d.number, d.date]));
      for (const p of processed) expect(p.at.slice(0, 10) >= dateOf.get(p.number)!).toBe(true);
      // The three 2017-06-20 documents came over two pages in one poll.
      expect(processed.filter((p) => p.at.startsWith('2017-06-20'))).toHaveLength(3);
      expect(splitDatePages).toBe(2);
      // The late document was found when it appeared, after the cursor had passed its date.
      expect(processed.find((p) => p.number === LATE.number)!.at).toBe(LATE.availableAt);

      expect(repeatPoll.found).toBe(0);
      expect(repeatPoll.pages).toBeGreaterThan(0);
      expect(repeatPoll.notModifiedPages).toBe(repeatPoll.pages);

      expect(stats.api.maxPerSecond).toBeLessThanOrEqual(5);
    },
  );

  it(
    'control: without the lookback the late document is missed (the test can fail)',
    { timeout: 90_000 },
    async () => {
      const { processed } = await play(0);
      expect(processed.map((p) => p.number)).not.toContain(LATE.number);
      expect(processed).toHaveLength(13);
    },
  );
});

describe('document cursor', () => {
  it('keeps its keys under the hash-tagged prefix, moves forward only, and prunes', async () => {
    const prefix = testPrefix();
    prefixes.push(prefix);
    const cursor = new DocumentCursor(redis, {
      prefix,
      startDate: '2019-01-01',
      lookbackDays: 3,
      keepDays: 10,
    });
    expect(await cursor.since()).toBe('2019-01-01');
    expect(await cursor.markProcessed('2019-22210', '2019-10-09')).toBe(true);
    expect(await cursor.markProcessed('2019-22210', '2019-10-09')).toBe(false);
    expect(await cursor.markProcessed('2019-11153', '2019-05-20')).toBe(true);
    expect(await cursor.cursorDate()).toBe('2019-10-09');
    expect(await cursor.since()).toBe('2019-10-06');
    expect(await cursor.isProcessed('2019-022210')).toBe(true);
    const fresh = await cursor.newDocuments([
      { document_number: '2019-22211', publication_date: '2019-10-09' },
      { document_number: '2019-22210', publication_date: '2019-10-09' },
      { document_number: '2019-22209', publication_date: '2019-10-08' },
      { document_number: '2019-22211', publication_date: '2019-10-09' },
    ]);
    expect(fresh.map((d) => d.document_number)).toEqual(['2019-22209', '2019-22211']);
    expect(await cursor.prune()).toBe(1); // 2019-05-20 is older than the cursor − (3 + 10) days
    expect((await cursor.state()).processed).toBe(1);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.sort()).toEqual([`${prefix}cursor:fr:date`, `${prefix}cursor:fr:processed`]);
  });

  it('refuses a prefix without a hash tag', () => {
    expect(() => new DocumentCursor(redis, { prefix: 'fedreg:', startDate: '2019-01-01' })).toThrow(
      /hash tag/,
    );
  });
});
