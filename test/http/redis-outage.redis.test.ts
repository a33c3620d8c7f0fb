import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer } from '../../src/http/server.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { buildContext, contextClosers } from '../../src/service.js';
import { startLocalRedis, type LocalRedis } from '../../src/store/local-redis.js';
import { DEV_CORPUS, readSnapshot } from '../support/fixtures.js';
import { ADMIN_TOKEN, testConfig, uniquePrefix } from '../support/service.js';

/**
 * Redis + HTTP tier: a Redis that goes away under the HTTP API. A request that reaches Redis while
 * it is down is the outage showing through, not a bug: 503 with REDIS_UNAVAILABLE and a
 * Retry-After, never a 500; and the same routes answer again once Redis is back.
 */
let redis: LocalRedis;
let dir: string;
let ctx: PipelineContext;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-outage-'));
  redis = await startLocalRedis({ dir });
  ctx = buildContext(
    testConfig(redis.url, uniquePrefix('fw-outage'), 'http://127.0.0.1:9', {
      DATA_DIR: join(dir, 'data'),
    }),
  );
  await ctx.state.importBaseline(readSnapshot(join(DEV_CORPUS, 'baseline.json')), { now: Date.now() });
  app = await createHttpServer({ ctx, ready: async () => true });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  await app?.close();
  for (const [, close] of ctx ? contextClosers(ctx) : []) await close().catch(() => undefined);
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { entries: unknown[]; error: { code: string } };
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(`${base}${path}`, { headers });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Answer['body'] };
}

describe('HTTP API while Redis is away', () => {
  it('answers 503 REDIS_UNAVAILABLE (not 500) for reads and admin routes, and recovers', async () => {
    const before = await get('/v1/entities');
    expect(before.status).toBe(200);
    expect(before.body.entries.length).toBeGreaterThan(0);

    await redis.stop();
    await new Promise((r) => setTimeout(r, 200)); // the client notices the closed socket

    for (const path of ['/v1/entities', '/v1/events', '/v1/documents']) {
      const res = await get(path);
      expect(res.status, path).toBe(503);
      expect(res.body.error.code, path).toBe('REDIS_UNAVAILABLE');
      expect(res.headers['retry-after'], path).toBe('5');
    }
    const admin = await get('/v1/subscriptions', { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(admin.status).toBe(503);

    redis = await startLocalRedis({ dir, port: redis.port });
    let after = await get('/v1/entities');
    for (let i = 0; i < 100 && after.status === 503; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await get('/v1/entities');
    }
    // AOF kept the state: the same list as before the outage.
    expect(after.status).toBe(200);
    expect(after.body.entries.length).toBe(before.body.entries.length);
  }, 60_000);
});
