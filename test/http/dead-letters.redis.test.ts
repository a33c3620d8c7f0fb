import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHttpServer } from '../../src/http/server.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { buildContext, contextClosers } from '../../src/service.js';
import type { DeadLetter } from '../../src/store/dead-letters.js';
import { DEV_CORPUS, readSnapshot } from '../support/fixtures.js';
import { ADMIN_TOKEN, dropPrefix, testConfig, uniquePrefix } from '../support/service.js';

/**
 * Redis + HTTP tier: the dead-letter routes over a Redis that still holds letters in the layout
 * before the index (one LIST of JSON, newest first), as a deployment upgraded in place does. The
 * first request moves them into the index; the answers are the letters as they were written.
 */
const redisUrl = inject('redisUrl');

let ctx: PipelineContext;
let app: FastifyInstance;
let base: string;
let prefix: string;
let gone: string;
let other: string;
/** The letters as the old code wrote them, oldest first. */
let written: DeadLetter[];

beforeAll(async () => {
  prefix = uniquePrefix('dead-letters');
  ctx = buildContext(testConfig(redisUrl, prefix, 'http://127.0.0.1:9'));
  await ctx.state.importBaseline(readSnapshot(join(DEV_CORPUS, 'baseline.json')), { now: Date.now() });
  const now = Date.now();
  gone = (await ctx.subscriptions.create({ url: 'https://gone.example/hook' }, '0-0', now)).subscription.id;
  other = (await ctx.subscriptions.create({ url: 'https://other.example/hook' }, '0-0', now)).subscription.id;
  written = Array.from({ length: 12 }, (_, n) => ({
    eventId: `evt-${n % 10}`, // two events dead-lettered twice: redelivered once each
    subscriptionId: n % 3 === 0 ? other : gone,
    eventType: 'gov.bis.entitylist.entry.added',
    attempts: 8,
    reason: n % 2 === 0 ? 'HTTP 410' : 'HTTP 500',
    ...(n % 2 === 0 ? { status: 410 } : { status: 500 }),
    at: new Date(Date.UTC(2026, 10, 1) + n * 60_000).toISOString(),
  }));
  // What `deadLetter` did before the index: LPUSH of the JSON.
  for (const l of written) await ctx.redis.lpush(ctx.keys.legacyDeadLetters, JSON.stringify(l));
  app = await createHttpServer({ ctx, ready: async () => true });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 60_000);

afterAll(async () => {
  await app?.close();
  for (const [, step] of ctx ? contextClosers(ctx) : []) await step().catch(() => {});
  if (prefix) await dropPrefix(redisUrl, prefix);
});

async function call(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: unknown }> {
  const res = await request(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return { status: res.statusCode, body: await res.body.json() };
}

describe('dead letters written before the index', () => {
  it('are listed after the upgrade as they were written, newest first, all or by subscription', async () => {
    const newestFirst = [...written].reverse();
    expect(await call('GET', '/v1/dead-letters')).toEqual({
      status: 200,
      body: { deadLetters: newestFirst },
    });
    expect(await ctx.redis.exists(ctx.keys.legacyDeadLetters)).toBe(0);
    expect(await call('GET', `/v1/dead-letters?subscription=${gone}`)).toEqual({
      status: 200,
      body: { deadLetters: newestFirst.filter((l) => l.subscriptionId === gone) },
    });
  });

  it('are redelivered once per event and leave the queue; the other subscription’s stay', async () => {
    const mine = written.filter((l) => l.subscriptionId === gone);
    const events = new Set(mine.map((l) => l.eventId));
    expect(events.size).toBeLessThan(mine.length);
    expect(await call('POST', `/v1/subscriptions/${gone}/redeliver`)).toEqual({
      status: 200,
      body: { redelivering: events.size },
    });
    const queued = await ctx.queues.deliver.getJobs(['waiting', 'delayed', 'prioritized']);
    expect(queued.map((j) => j.data.eventId).sort()).toEqual([...events].sort());
    expect(await call('GET', `/v1/dead-letters?subscription=${gone}`)).toEqual({
      status: 200,
      body: { deadLetters: [] },
    });
    expect(await call('GET', '/v1/dead-letters')).toEqual({
      status: 200,
      body: { deadLetters: [...written].reverse().filter((l) => l.subscriptionId === other) },
    });
  });
});
