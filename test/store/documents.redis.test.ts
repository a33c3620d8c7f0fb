import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKeys, type Keys } from '../../src/store/keys.js';
import { DocumentStore } from '../../src/store/documents.js';
import type { Redis } from 'ioredis';
import { createRedis } from '../../src/store/redis.js';
import { dropPrefix, uniquePrefix } from '../support/service.js';

const redisUrl = inject('redisUrl');

describe('DocumentStore.discover', () => {
  let redis: Redis;
  let prefix: string;
  let keys: Keys;
  let store: DocumentStore;
  beforeAll(() => {
    redis = createRedis(redisUrl, 'client');
    prefix = uniquePrefix('docs');
    keys = createKeys(prefix);
    store = new DocumentStore(redis, keys);
  });
  afterAll(async () => {
    await dropPrefix(redisUrl, prefix);
    redis.disconnect();
  });

  const doc = {
    documentNumber: '2019-22210',
    publicationDate: '2019-10-09',
    xmlUrl: 'http://127.0.0.1/2019-22210.xml',
    facts: { citation: '84 FR 54002' },
    via: 'documents',
  } as unknown as Parameters<DocumentStore['discover']>[0];

  it('records a document once, in line for application', async () => {
    expect(await store.discover(doc, Date.parse('2019-10-09T12:00:00Z'))).toBe(true);
    expect(await store.discover(doc, Date.parse('2019-10-10T12:00:00Z'))).toBe(false);
    const record = await store.get('2019-22210');
    expect(record).toMatchObject({
      documentNumber: '2019-22210',
      status: 'discovered',
      publicationDate: '2019-10-09',
      discoveredAt: '2019-10-09T12:00:00.000Z',
    });
    expect(await redis.zrange(keys.docsPending, '0', '-1')).toEqual(['2019-22210']);
    expect(await redis.zrange(keys.docsAll, '0', '-1')).toEqual(['2019-22210']);
  });

  it('completes a record an interrupted earlier version left with a status alone', async () => {
    await redis.hset(keys.doc('2024-10314'), 'status', 'discovered');
    expect(await store.get('2024-10314')).toBeUndefined();
    const half = { ...doc, documentNumber: '2024-10314', publicationDate: '2024-05-09' };
    expect(await store.discover(half, Date.now())).toBe(true);
    expect(await store.get('2024-10314')).toMatchObject({
      documentNumber: '2024-10314',
      status: 'discovered',
    });
    expect(await redis.zrange(keys.docsPending, '0', '-1')).toEqual(['2019-22210', '2024-10314']);
  });
});
