import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHttpServer } from '../../src/http/server.js';
import { registerOpsRoutes } from '../../src/http/ops.js';
import { createMetrics, type Metrics } from '../../src/observe/metrics.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { QUEUE_NAMES } from '../../src/queues/index.js';
import { buildContext, contextClosers } from '../../src/service.js';
import { ADMIN_TOKEN, dropPrefix, testConfig, uniquePrefix } from '../support/service.js';

/**
 * Redis + HTTP tier: the ops routes mounted through `createHttpServer({ extend })` on a context
 * built from configuration (real Redis, a prefix of its own), served on 127.0.0.1. The dashboard
 * answers only with the admin token; /metrics answers Prometheus without one.
 */
const redisUrl = inject('redisUrl');

let ctx: PipelineContext;
let metrics: Metrics;
let app: FastifyInstance;
let base: string;
let prefix: string;

beforeAll(async () => {
  prefix = uniquePrefix('fw-test');
  // No replay server is needed: nothing here polls.
  ctx = buildContext(testConfig(redisUrl, prefix, 'http://127.0.0.1:9'));
  metrics = createMetrics({ observer: ctx.observer, queues: ctx.queues });
  app = await createHttpServer({
    ctx,
    ready: async () => true,
    extend: (a) => registerOpsRoutes(a, { metrics, queues: ctx.queues, adminToken: ctx.config.adminToken }),
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  await ctx.queues.document.add(
    'document',
    { v: 1, documentNumber: '2019-22210' },
    { jobId: 'doc-2019-22210' },
  );
});

afterAll(async () => {
  metrics?.close();
  await app?.close();
  for (const [, step] of ctx ? contextClosers(ctx) : []) await step().catch(() => {});
  if (prefix) await dropPrefix(redisUrl, prefix);
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await request(`${base}${path}`, { headers });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

describe('the queue dashboard', () => {
  it('answers 401 without the admin token, and offers Basic to browsers', async () => {
    const paths = [
      '/admin/queues',
      '/admin/queues/',
      '/admin/queues/api/queues',
      '/admin/queues/static/favicon.ico',
    ];
    for (const path of paths) {
      const res = await get(path);
      expect(res.status, path).toBe(401);
      expect(String(res.headers['www-authenticate'])).toMatch(/^Basic realm="fedreg-watch admin"/);
      expect(res.body).not.toMatch(/document/);
    }
  });

  it('answers 401 to a wrong token, as a bearer or as a Basic password', async () => {
    expect((await get('/admin/queues', bearer('not-the-admin-token'))).status).toBe(401);
    expect((await get('/admin/queues', basic('admin', 'not-the-admin-token'))).status).toBe(401);
    expect((await get('/admin/queues', basic(ADMIN_TOKEN, ''))).status).toBe(401);
  });

  it('serves the page with the admin token, as a bearer or as a Basic password', async () => {
    for (const headers of [bearer(ADMIN_TOKEN), basic('ops', ADMIN_TOKEN)]) {
      const res = await get('/admin/queues', headers);
      expect(res.status).toBe(200);
      expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
      expect(res.body).toContain('/admin/queues');
    }
    // The page's own files come from behind the same guard.
    expect((await get('/admin/queues/static/favicon.ico', bearer(ADMIN_TOKEN))).status).toBe(200);
  });

  it("lists every queue of the pipeline through the dashboard's API", async () => {
    const res = await get('/admin/queues/api/queues', bearer(ADMIN_TOKEN));
    expect(res.status).toBe(200);
    const { queues } = JSON.parse(res.body) as {
      queues: Array<{ name: string; counts: Record<string, number> }>;
    };
    expect(queues.map((q) => q.name).sort()).toEqual([...QUEUE_NAMES].sort());
    expect(queues.find((q) => q.name === 'document')?.counts.waiting).toBe(1);
  });

  it("leaves the API's own admin answers as they were", async () => {
    const res = await get('/v1/subscriptions');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
  });
});

describe('GET /metrics', () => {
  it('answers without credentials, in the Prometheus text format', async () => {
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(res.body).toContain('fedreg_queue_jobs{queue="document",state="waiting"} 1\n');
    expect(res.body).toMatch(/^process_cpu_seconds_total /m);
  });
});

describe('without an admin token configured', () => {
  it('refuses every dashboard request', async () => {
    const bare = Fastify();
    try {
      await registerOpsRoutes(bare, { metrics, queues: ctx.queues, adminToken: undefined });
      const url = await bare.listen({ host: '127.0.0.1', port: 0 });
      const res = await request(`${url}/admin/queues`, { headers: bearer(ADMIN_TOKEN) });
      expect(res.statusCode).toBe(401);
      expect(await res.body.json()).toMatchObject({
        error: { message: expect.stringMatching(/set ADMIN_TOKEN/) },
      });
    } finally {
      await bare.close();
    }
  });
});
