import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { applyDocument } from '../../src/entity-list/apply.js';
import {
  documentChanges,
  documentFactsFromApi,
  type FederalRegisterDocumentRecord,
} from '../../src/entity-list/document.js';
import { extractFromXml } from '../../src/entity-list/extract.js';
import { keyOf } from '../../src/entity-list/snapshot.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import { ALL_EVENT_TYPES } from '../../src/events/cloudevent.js';
import { EVENT_SCHEMAS } from '../../src/events/validate.js';
import type { FtmEntity } from '../../src/exports/ftm.js';
import { registerOpsRoutes } from '../../src/http/ops.js';
import { createHttpServer, registeredRoutes } from '../../src/http/server.js';
import { createMetrics, type Metrics } from '../../src/observe/metrics.js';
import type { PipelineContext } from '../../src/pipeline/context.js';
import { buildContext, contextClosers } from '../../src/service.js';
import { stateWrites } from '../../src/store/state.js';
import { ftmProblems } from '../exports/ftm-model.js';
import { runCli } from '../support/cli.js';
import { corpusDocuments, DEV_CORPUS, FIXTURES, readSnapshot } from '../support/fixtures.js';
import { ADMIN_TOKEN, dropPrefix, testConfig, uniquePrefix } from '../support/service.js';

/**
 * Redis + HTTP tier: the API on 127.0.0.1 over a real Redis holding the dev baseline with the dev
 * timeline's documents committed one by one through the state store's commit script (as the apply
 * stage does), so the event log and `asOf` history are real.
 */
const redisUrl = inject('redisUrl');

let ctx: PipelineContext;
let metrics: Metrics;
let app: FastifyInstance;
let base: string;
let prefix: string;
const baseline = readSnapshot(join(DEV_CORPUS, 'baseline.json'));
/** The list after each document, by the document's effective date. */
const states: Array<{ effective: string; state: Snapshot }> = [];
let current: Snapshot = baseline;

/** Applies one corpus document and commits it, as the apply stage does. */
async function commitNext(doc: ReturnType<typeof corpusDocuments>[number]): Promise<boolean> {
  const agencies = (doc.api.agencies as Array<{ slug?: string }> | undefined) ?? [];
  if (!agencies.some((a) => a.slug === 'industry-and-security-bureau')) return false;
  const [extraction] = extractFromXml(readFileSync(doc.xmlPath), { fallbackDocumentNumber: doc.number });
  const facts = documentFactsFromApi(doc.api as FederalRegisterDocumentRecord);
  if (!doc.api.effective_on)
    facts.effectiveDate = extraction!.document.effectiveDate ?? facts.publicationDate;
  const result = applyDocument(
    current,
    documentChanges({ ...extraction!, documentNumber: doc.number }, facts),
  );
  const { version } = await ctx.state.read();
  const { upserts, deletes } = stateWrites(current, result.next);
  const commit = await ctx.state.commit({
    documentNumber: doc.number,
    expectedVersion: version,
    asOf: result.next.asOf,
    upserts,
    deletes,
    events: result.events,
    retentionMs: 3650 * 86_400_000,
    now: Date.now(),
  });
  expect(commit.kind).toBe('committed');
  current = result.next;
  states.push({ effective: facts.effectiveDate, state: current });
  return true;
}

const docs = corpusDocuments();

beforeAll(async () => {
  prefix = uniquePrefix('fw-test');
  ctx = buildContext(testConfig(redisUrl, prefix, 'http://127.0.0.1:9'));
  await ctx.state.importBaseline(baseline, { now: Date.now() });
  // All but the last document now; the last one is committed by the ETag test.
  for (const doc of docs.slice(0, -1)) await commitNext(doc);
  metrics = createMetrics({ observer: ctx.observer, queues: ctx.queues });
  app = await createHttpServer({
    ctx,
    ready: async () => true,
    extend: (a) =>
      registerOpsRoutes(a, {
        metrics,
        queues: ctx.queues,
        adminToken: ctx.config.adminToken,
        readOnly: true,
      }),
  });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}, 120_000);

afterAll(async () => {
  metrics?.close();
  await app?.close();
  for (const [, step] of ctx ? contextClosers(ctx) : []) await step().catch(() => {});
  if (prefix) await dropPrefix(redisUrl, prefix);
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  chunks: number;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await request(`${base}${path}`, { headers });
  let body = '';
  let chunks = 0;
  for await (const chunk of res.body) {
    body += (chunk as Buffer).toString('utf8');
    chunks++;
  }
  return { status: res.statusCode, headers: res.headers, body, chunks };
}

const json = (a: Answer) => JSON.parse(a.body) as Record<string, unknown>;
const errorOf = (a: Answer) => (json(a) as { error: { code: string; message: string } }).error;

/** The list on a date, from the states the test committed (effective date ≤ date). */
function expectedAsOf(date: string): Snapshot {
  const byKey = new Map(baseline.entries.map((e) => [keyOf(e), e]));
  let last = baseline;
  for (const s of states) if (s.effective <= date) last = s.state;
  void byKey;
  return last;
}

describe('exports over HTTP', () => {
  it('serves the CSL CSV streamed, with the real header and one row per entry', async () => {
    const res = await get('/v1/exports/csl.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    // Streamed: chunked, no length announced before the last row was written.
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
    const real = readFileSync(join(FIXTURES, 'real', 'csl', 'watchman-csl-2023-11-30.csv'), 'utf8');
    expect(res.body.slice(0, res.body.indexOf('\r\n'))).toBe(real.slice(0, real.indexOf('\n')));
    const rows = parse(res.body, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(current.entries.length);
    // start_date is the rule's effective date where the service applied it: FR doc 2018-04652
    // (83 FR 11076) was published on 2018-02-28 and took effect on 2018-02-25.
    const cited = rows.filter((r) => r.federal_register_notice!.startsWith('83 FR 11076'));
    expect(cited.length).toBeGreaterThan(0);
    expect(new Set(cited.map((r) => r.start_date))).toEqual(new Set(['2018-02-25']));
  });

  it('streams a long list in many chunks', async () => {
    const res = await get('/v1/exports/ftm.jsonl');
    expect(res.status).toBe(200);
    expect(res.chunks).toBeGreaterThan(1);
  });

  it('answers If-None-Match with 304 until the list changes, then with a new ETag', async () => {
    for (const path of ['/v1/exports/csl.csv', '/v1/exports/csl.json', '/v1/exports/ftm.jsonl']) {
      const first = await get(path);
      const etag = String(first.headers.etag);
      const again = await get(path, { 'if-none-match': etag });
      expect(again.status, path).toBe(304);
      expect(again.body).toBe('');
      expect(again.headers.etag).toBe(etag);
      expect((await get(path, { 'if-none-match': '"something-else"' })).status).toBe(200);
      // Another selection of the same list is another representation.
      expect((await get(`${path}?country=China`)).headers.etag).not.toBe(etag);
    }
    const before = await get('/v1/exports/csl.json');
    expect(await commitNext(docs[docs.length - 1]!)).toBe(true);
    const after = await get('/v1/exports/csl.json', { 'if-none-match': String(before.headers.etag) });
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect((json(after).results as unknown[]).length).toBe(current.entries.length);
  });

  it('exports the list as of a date', async () => {
    for (const date of ['2019-10-08', '2019-10-09', baseline.asOf]) {
      const want = expectedAsOf(date);
      const res = await get(`/v1/exports/csl.json?asOf=${date}`);
      expect(res.status, date).toBe(200);
      const results = json(res).results as Array<{ name: string }>;
      expect(results.map((r) => r.name).sort(), date).toEqual(want.entries.map((e) => e.name).sort());
    }
    const dahua = (date: string) =>
      get(`/v1/exports/csl.csv?asOf=${date}`).then((r) => r.body.includes('"Dahua Technology"'));
    expect(await dahua('2019-10-08')).toBe(false);
    expect(await dahua('2019-10-09')).toBe(true);
    const early = await get('/v1/exports/ftm.jsonl?asOf=2000-01-01');
    expect(early.status).toBe(404);
  });

  it('exports one destination, in any spelling the filters take', async () => {
    const want = current.entries.filter((e) => e.country === "CHINA, PEOPLE'S REPUBLIC OF").length;
    expect(want).toBeGreaterThan(0);
    for (const spelling of ['China', 'CHINA', "CHINA, PEOPLE'S REPUBLIC OF"]) {
      const res = await get(`/v1/exports/csl.json?country=${encodeURIComponent(spelling)}`);
      const results = json(res).results as Array<{ country: string }>;
      expect(results, spelling).toHaveLength(want);
      expect(results.every((r) => r.country === "CHINA, PEOPLE'S REPUBLIC OF")).toBe(true);
    }
    const ftm = await get('/v1/exports/ftm.jsonl?country=china');
    const entities = ftm.body
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FtmEntity);
    expect(entities.filter((e) => e.schema === 'Sanction')).toHaveLength(want);
    expect(ftmProblems(entities)).toEqual([]);
  });

  it('serves FollowTheMoney entities the model accepts', async () => {
    const res = await get('/v1/exports/ftm.jsonl');
    expect(res.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    const entities = res.body
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FtmEntity);
    expect(ftmProblems(entities)).toEqual([]);
    expect(entities.filter((e) => e.schema === 'Sanction')).toHaveLength(current.entries.length);
  });

  it('serves what changed since a date as delta lines', async () => {
    const res = await get('/v1/exports/ftm-delta.jsonl?since=2019-10-08&asOf=2019-10-09');
    expect(res.status).toBe(200);
    const lines = res.body
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { op: string; entity: FtmEntity });
    const before = new Set(expectedAsOf('2019-10-08').entries.map(keyOf));
    const added = expectedAsOf('2019-10-09').entries.filter((e) => !before.has(keyOf(e)));
    expect(added.length).toBeGreaterThan(0);
    const adds = lines.filter((l) => l.op === 'ADD' && l.entity.schema !== 'Sanction');
    expect(adds.map((l) => l.entity.properties.name![0]).sort()).toEqual(added.map((e) => e.name).sort());
    expect((await get('/v1/exports/ftm-delta.jsonl')).status).toBe(400);
    expect((await get(`/v1/exports/ftm-delta.jsonl?since=${current.asOf}`)).body).toBe('');
  });
});

describe('the list and its search', () => {
  it('matches ?country= the way subscription filters do', async () => {
    const china = json(await get('/v1/entities?country=China')).entries as unknown[];
    expect(china.length).toBeGreaterThan(0);
    expect(json(await get('/v1/entities?country=CHINA')).entries).toEqual(china);
  });

  it('searches names and aliases by words, ignoring case, accents, punctuation and order', async () => {
    const names = async (q: string) =>
      (json(await get(`/v1/entities?q=${encodeURIComponent(q)}`)).entries as Array<{ name: string }>).map(
        (e) => e.name,
      );
    expect(await names('Hikvision')).toEqual(['Hangzhou Hikvision Digital Technology Co., Ltd.']);
    expect(await names('HIKVISION DIGITAL')).toEqual(await names('digital hikvision'));
    expect(await names('Zhejiang Dahua Technology Co Ltd')).toEqual(['Dahua Technology']);
  });
});

describe('bad input answers 400 in one shape', () => {
  it.each([
    ['/v1/entities?country=China&country=Russia', 'country'],
    ['/v1/entities?asOf=2020-02-30', 'asOf'],
    ['/v1/entities?asOf=yesterday', 'asOf'],
    ['/v1/entities?color=red', 'color'],
    ['/v1/exports/csl.csv?asOf=2019-02-29', 'asOf'],
    ['/v1/exports/ftm-delta.jsonl?since=2019-13-01', 'since'],
    ['/v1/events?after=not-a-cursor', 'after'],
    ['/v1/events?limit=0', 'limit'],
    ['/v1/events?after=99999999999999999999-0', 'after'],
    ['/v1/events?after=18446744073709551616-0', 'after'],
  ])('%s', async (path, name) => {
    const res = await get(path);
    expect(res.status, res.body).toBe(400);
    const body = json(res) as { error: { code: string; message: string; details?: Array<{ name: string }> } };
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error.code).toBe('INPUT_INVALID');
    expect(body.error.message).toContain(name);
  });

  it('takes the largest cursor Redis has and answers an empty page', async () => {
    const max = '18446744073709551615-18446744073709551615';
    const res = await get(`/v1/events?after=${max}`);
    expect(res.status).toBe(200);
    expect(json(res)).toEqual({ events: [], next: max });
  });

  it('answers unknown routes 404 in the same shape', async () => {
    const res = await get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(errorOf(res).code).toBe('NOT_FOUND');
  });

  it('checks the admin token before the body: 401, not the schema’s 400', async () => {
    const res = await request(`${base}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nonsense: true }),
    });
    expect(res.statusCode).toBe(401);
    const body = (await res.body.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('UNAUTHORIZED');
    expect(body.error.message).not.toMatch(/url|property/i);
    const authorised = await request(`${base}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ nonsense: true }),
    });
    expect(authorised.statusCode).toBe(400);
    expect(((await authorised.body.json()) as { error: { code: string } }).error.code).toBe('INPUT_INVALID');
  });
});

describe('the dashboard', () => {
  it('is served with frame-ancestors none, and read-only when asked', async () => {
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const page = await get('/admin/queues', auth);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toBe("frame-ancestors 'none'");
    expect((await get('/admin/queues')).headers['content-security-policy']).toBe("frame-ancestors 'none'");
    const api = await get('/admin/queues/api/queues', auth);
    const queues = (json(api) as { queues: Array<{ readOnlyMode: boolean }> }).queues;
    expect(queues.length).toBeGreaterThan(0);
    expect(queues.every((q) => q.readOnlyMode)).toBe(true);
  });
});

describe('the API described', () => {
  it('serves an OpenAPI 3.1 document that a validator accepts and that covers every route', async () => {
    const res = await get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = json(res) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { security?: unknown; parameters?: Array<{ name: string; in: string }> }>
      >;
      webhooks: Record<
        string,
        { post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } } }
      >;
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    // The webhooks' bodies are the served event schemas: the validator reads them as parts of the
    // document, from where the document says they are.
    const validator = new Validator();
    for (const type of ALL_EVENT_TYPES) {
      const ref = doc.webhooks[type]!.post.requestBody.content['application/json']!.schema.$ref;
      await validator.addSpecRef(json(await get(ref)) as never, ref);
    }
    await validator.addSpecRef(
      json(await get('/schemas/events/common.schema.json')) as never,
      'common.schema.json',
    );
    const result = await validator.validate(structuredClone(doc) as never);
    expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
    expect(result.valid).toBe(true);

    const toOpenApi = (url: string) => url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{*}');
    // A prefixed plugin's "/" route answers with and without the trailing slash: one path.
    const described = (url: string, method: string) =>
      (doc.paths[toOpenApi(url)] ?? doc.paths[`${toOpenApi(url)}/`])?.[method.toLowerCase()];
    const missing = registeredRoutes(app)
      .filter((r) => r.method !== 'HEAD')
      .filter((r) => !described(r.url, r.method))
      .map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    expect(registeredRoutes(app).length).toBeGreaterThan(20);

    expect(doc.components.securitySchemes.adminBearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/v1/subscriptions']!.post!.security).toEqual([{ adminBearer: [] }]);
    const exportParams = doc.paths['/v1/exports/csl.csv']!.get!.parameters!.map((p) => `${p.in}:${p.name}`);
    expect(exportParams).toEqual(
      expect.arrayContaining(['query:asOf', 'query:country', 'header:if-none-match']),
    );
  });

  it('references each event type’s served JSON Schema from its webhook', async () => {
    const doc = json(await get('/openapi.json')) as {
      webhooks: Record<
        string,
        { post: { requestBody: { content: Record<string, { schema: { $ref: string } }> } } }
      >;
    };
    expect(Object.keys(doc.webhooks).sort()).toEqual([...ALL_EVENT_TYPES].sort());
    for (const type of ALL_EVENT_TYPES) {
      const ref = doc.webhooks[type]!.post.requestBody.content['application/json']!.schema.$ref;
      expect(ref).toBe(`/schemas/events/${type}.json`);
      const served = await get(ref);
      expect(served.status).toBe(200);
      expect(served.headers['content-type']).toMatch(/^application\/schema\+json/);
      expect(JSON.parse(served.body)).toEqual(EVENT_SCHEMAS[type]);
    }
    expect((await get('/schemas/events/common.schema.json')).status).toBe(200);
    expect((await get('/schemas/events/nothing.json')).status).toBe(404);
  });

  it('prints the same document from `fedreg-watch openapi`, without Redis', async () => {
    const served = json(await get('/openapi.json'));
    const cli = await runCli(['openapi'], { env: { REDIS_URL: 'redis://127.0.0.1:9' } });
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toEqual(served);
  });
});
