import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FederalRegisterClient } from '../../src/federal-register/client.js';
import {
  PI_EVENT_TYPE,
  PI_PUBLISHED_EVENT_TYPE,
  PI_WITHDRAWN_EVENT_TYPE,
  trackPublicInspection,
  type PublicInspectionOutcome,
} from '../../src/federal-register/public-inspection.js';
import { PublicInspectionStore } from '../../src/store/public-inspection.js';
import type { ReplayServer } from '../../src/replay/server.js';
import { startReplay, testPrefix } from '../replay/helpers.js';

/**
 * Redis + HTTP tier: the public inspection poller as the pipeline would run it: fetch current.json
 * and the recent search, step the pure tracker, keep its state in Redis.
 */

let redis: Redis;
let server: ReplayServer;
let client: FederalRegisterClient;
const prefix = testPrefix();

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 3 });
  server = await startReplay({ now: '2019-05-16T12:00:00Z' });
  client = new FederalRegisterClient({ baseUrl: server.apiBase, http: { retry: { baseDelayMs: 10 } } });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await client.close();
  await server.close();
});

/** One poll at the server's clock: PI listing + recent search → tracker → state saved. */
async function poll(store: PublicInspectionStore, at: string): Promise<PublicInspectionOutcome[]> {
  server.setNow(Date.parse(at));
  const signal = AbortSignal.timeout(30_000);
  const listing = await client.publicInspectionCurrent({ signal });
  const published = await client.entityListCandidates({ since: '2019-05-01', signal });
  const { state, outcomes } = trackPublicInspection(await store.load(), {
    at,
    listing,
    complete: true,
    published: published.documents,
  });
  await store.save(state);
  return outcomes;
}

describe('public inspection over HTTP', () => {
  it('reports a filing, then links it to the published document', async () => {
    const store = new PublicInspectionStore(redis, { prefix });
    // 2019-22210 is filed 2019-10-07 08:45 ET for publication on 2019-10-09.
    expect(await poll(store, '2019-10-07T12:00:00Z')).toEqual([]);
    const filed = await poll(store, '2019-10-07T13:00:00Z');
    expect(filed).toHaveLength(1);
    expect(filed[0]).toMatchObject({
      type: PI_EVENT_TYPE,
      data: {
        documentNumber: '2019-22210',
        filingType: 'regular',
        filedAt: '2019-10-07T08:45:00.000-04:00',
        scheduledPublicationDate: '2019-10-09',
        pdfUrl: `${server.url}/public-inspection/2019-22210.pdf`,
      },
    });
    expect(await poll(store, '2019-10-08T13:00:00Z')).toEqual([]);
    const published = await poll(store, '2019-10-09T12:00:00Z');
    expect(published).toEqual([
      expect.objectContaining({
        type: PI_PUBLISHED_EVENT_TYPE,
        data: expect.objectContaining({
          documentNumber: '2019-22210',
          publishedDocumentNumber: '2019-22210',
          citation: '84 FR 54002',
        }),
      }),
    ]);
    expect((await store.load()).filings['2019-22210']!.status).toBe('published');
    expect(await poll(store, '2019-10-10T12:00:00Z')).toEqual([]);
  });

  it('reports a filing withdrawn before publication', async () => {
    const store = new PublicInspectionStore(redis, { prefix: testPrefix() });
    // 2019-11153: filed 2019-05-17 08:45 ET for publication on 2019-05-20; withdrawn on the 18th.
    server.setOverride('2019-11153', { withdrawnAt: Date.parse('2019-05-18T14:00:00Z') });
    try {
      const first = await poll(store, '2019-05-17T15:00:00Z');
      expect(first.map((o) => o.type)).toEqual([PI_EVENT_TYPE]);
      const gone = await poll(store, '2019-05-18T15:00:00Z');
      expect(gone).toEqual([
        expect.objectContaining({
          type: PI_WITHDRAWN_EVENT_TYPE,
          data: expect.objectContaining({
            documentNumber: '2019-11153',
            reason: 'removed_before_scheduled_publication',
          }),
        }),
      ]);
      // It never shows up published.
      expect(await poll(store, '2019-05-21T15:00:00Z')).toEqual([]);
      await store.clear();
    } finally {
      server.setOverride('2019-11153', undefined);
    }
  });
});
