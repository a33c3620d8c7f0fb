import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  FederalRegisterClient,
  type FederalRegisterClientOptions,
} from '../../src/federal-register/client.js';
import { MemoryConditionalStore } from '../../src/http-client/conditional-store.js';
import { RateBudget } from '../../src/http-client/rate-budget.js';
import type { ReplayServer } from '../../src/replay/server.js';
import type { StatsReport } from '../../src/replay/stats.js';
import { bisDocuments, DEV_CORPUS, getJson, postJson, startReplay } from '../replay/helpers.js';
import { readdirSync } from 'node:fs';

/** HTTP tier: the real Federal Register client against the replay server on 127.0.0.1. */

const bis = bisDocuments(DEV_CORPUS, readdirSync(join(DEV_CORPUS, 'api')));
const signal = (): AbortSignal => AbortSignal.timeout(60_000);

let server: ReplayServer;
const clients: FederalRegisterClient[] = [];

function client(options: FederalRegisterClientOptions = {}): FederalRegisterClient {
  const c = new FederalRegisterClient({
    baseUrl: server.apiBase,
    ...options,
    http: { retry: { baseDelayMs: 10, maxDelayMs: 50 }, ...options.http },
  });
  clients.push(c);
  return c;
}

async function stats(): Promise<StatsReport> {
  return (await getJson(`${server.url}/_replay/stats`)).body as StatsReport;
}

async function fault(rule: Record<string, unknown>): Promise<void> {
  const res = await postJson(`${server.url}/_replay/faults`, rule);
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  server = await startReplay({ now: '2035-01-01T00:00:00Z' });
});
afterEach(async () => {
  await fetch(`${server.url}/_replay/reset`, { method: 'POST' });
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

describe('search', () => {
  it('finds every Entity List candidate once, oldest first, across pages', async () => {
    const result = await client({ perPage: 4 }).entityListCandidates({
      since: '2016-01-01',
      signal: signal(),
    });
    expect(result.count).toBe(bis.length);
    expect(result.pages).toBe(Math.ceil(bis.length / 4));
    expect(result.documents.map((d) => d.document_number)).toEqual(
      [...bis]
        .sort((a, b) => a.date.localeCompare(b.date) || a.number.localeCompare(b.number))
        .map((d) => d.number),
    );
    expect(result.documents[0]).toHaveProperty('full_text_xml_url');
    expect(result.documents[0]).toHaveProperty('cfr_references');
    const since = await client().entityListCandidates({ since: '2020-01-01', signal: signal() });
    expect(since.documents.every((d) => d.publication_date >= '2020-01-01')).toBe(true);
    expect(since.count).toBe(bis.filter((d) => d.date >= '2020-01-01').length);
  });

  it('follows relative next_page_url links', async () => {
    const pages: Record<string, unknown> = {
      '1': {
        count: 3,
        next_page_url: '/api/v1/documents.json?page=2',
        results: [{ document_number: 'a', publication_date: '2020-01-01' }],
      },
      '2': {
        count: 3,
        next_page_url: 'documents.json?page=3',
        results: [{ document_number: 'b', publication_date: '2020-01-02' }],
      },
      '3': { count: 3, results: [{ document_number: 'c', publication_date: '2020-01-03' }] },
    };
    const local: Server = createServer((req, res) => {
      const page = new URL(req.url!, 'http://x').searchParams.get('page') ?? '1';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(pages[page]));
    });
    await new Promise<void>((r) => local.listen(0, '127.0.0.1', r));
    try {
      const port = (local.address() as AddressInfo).port;
      const c = client({ baseUrl: `http://127.0.0.1:${port}/api/v1` });
      const result = await c.search({ agencies: ['industry-and-security-bureau'] }, { signal: signal() });
      expect(result.documents.map((d) => d.document_number)).toEqual(['a', 'b', 'c']);
    } finally {
      await new Promise((r) => local.close(r));
    }
  });
});

describe('documents and XML', () => {
  it('gets a document and its full-text XML byte for byte (absolute URL)', async () => {
    const c = client();
    const doc = await c.getDocument('2019-22210', { signal: signal() });
    expect(doc.citation).toBe('84 FR 54002');
    const bytes = await c.getFullTextXmlBytes(doc, { signal: signal() });
    expect(bytes.equals(readFileSync(join(DEV_CORPUS, 'docs', '2019-22210.xml')))).toBe(true);
  });

  it('resolves a relative full_text_xml_url against the API origin', async () => {
    const asStored = await startReplay({ urls: 'as-stored' });
    try {
      const c = client({ baseUrl: asStored.apiBase });
      const doc = await c.getDocument('2016-06777', { signal: signal() });
      expect(doc.full_text_xml_url).toBe('/documents/full_text/xml/2016/03/22/2016-06777.xml');
      const xml = await c.getFullTextXml(doc, { signal: signal() });
      expect(xml).toBe(readFileSync(join(DEV_CORPUS, 'docs', '2016-06777.xml'), 'utf8'));
    } finally {
      await asStored.close();
    }
  });
});

describe('retries and errors', () => {
  it('retries 5xx and gets through', async () => {
    await fault({ kind: 'document', status: 503, count: 2 });
    const doc = await client().getDocument('2019-22210', { signal: signal() });
    expect(doc.document_number).toBe('2019-22210');
    expect((await stats()).byKind.document!.statuses).toEqual({ '503': 2, '200': 1 });
  });

  it('waits at least Retry-After seconds after a 429', async () => {
    await fault({ kind: 'document', status: 429, retryAfter: 1, count: 1 });
    await client().getDocument('2019-22210', { signal: signal() });
    const t = (await stats()).byKind.document!.timestamps;
    expect(t).toHaveLength(2);
    expect(t[1]! - t[0]!).toBeGreaterThanOrEqual(1000);
  });

  it('honours a Retry-After given as an HTTP date', async () => {
    await fault({
      kind: 'search',
      status: 503,
      retryAfter: new Date(Date.now() + 2000).toUTCString(),
      count: 1,
    });
    await client().search({ agencies: ['industry-and-security-bureau'], perPage: 100 }, { signal: signal() });
    const t = (await stats()).byKind.search!.timestamps;
    expect(t).toHaveLength(2);
    expect(t[1]! - t[0]!).toBeGreaterThanOrEqual(1000);
  });

  it('does not sit on a long Retry-After: throws FR_RATE_LIMITED with retryAfterMs for the queue', async () => {
    await fault({ kind: 'document', status: 429, retryAfter: 3600, count: 1 });
    await expect(client().getDocument('2019-22210', { signal: signal() })).rejects.toMatchObject({
      code: 'FR_RATE_LIMITED',
      retryable: true,
      retryAfterMs: 3_600_000,
    });
    expect((await stats()).byKind.document!.count).toBe(1);
  });

  it('gives up on persistent 5xx after maxAttempts with a retryable FR_HTTP_SERVER', async () => {
    await fault({ kind: 'document', status: 500 });
    await expect(client().getDocument('2019-22210', { signal: signal() })).rejects.toMatchObject({
      code: 'FR_HTTP_SERVER',
      retryable: true,
    });
    expect((await stats()).byKind.document!.count).toBe(4);
  });

  it('does not retry a 404 or 400: permanent FR_HTTP_STATUS', async () => {
    await expect(client().getDocument('2099-99999', { signal: signal() })).rejects.toMatchObject({
      code: 'FR_HTTP_STATUS',
      retryable: false,
      context: expect.objectContaining({ status: 404 }),
    });
    await fault({ kind: 'search', status: 400, count: 1 });
    await expect(
      client().entityListCandidates({ since: '2016-01-01', signal: signal() }),
    ).rejects.toMatchObject({
      code: 'FR_HTTP_STATUS',
    });
    const s = await stats();
    expect(s.byKind.document!.count).toBe(1);
    expect(s.byKind.search!.count).toBe(1);
  });

  it('a malformed (cleanly truncated) body is permanent FR_BAD_BODY; a cut connection is retried', async () => {
    await fault({ kind: 'search', truncate: 'clean', count: 1 });
    await expect(
      client().entityListCandidates({ since: '2016-01-01', signal: signal() }),
    ).rejects.toMatchObject({
      code: 'FR_BAD_BODY',
      retryable: false,
    });
    expect((await stats()).byKind.search!.count).toBe(1);
    await fetch(`${server.url}/_replay/reset`, { method: 'POST' });
    await fault({ kind: 'search', truncate: true, count: 1 });
    await fault({ kind: 'document', drop: true, count: 1 });
    const c = client();
    expect((await c.entityListCandidates({ since: '2016-01-01', signal: signal() })).count).toBe(bis.length);
    expect((await c.getDocument('2019-22210', { signal: signal() })).document_number).toBe('2019-22210');
    const s = await stats();
    expect(s.byKind.search!.count).toBe(2);
    expect(s.byKind.document!.count).toBe(2);
  });

  it('times out a slow answer (headers timeout) as retryable FR_TIMEOUT', async () => {
    await fault({ kind: 'document', latencyMs: 1500 });
    const c = client({
      http: { timeouts: { headersMs: 200 }, retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 } },
    });
    await expect(c.getDocument('2019-22210', { signal: signal() })).rejects.toMatchObject({
      code: 'FR_TIMEOUT',
      retryable: true,
    });
  });

  it("stops at once when the job's signal aborts, without retrying", async () => {
    await fault({ kind: 'document', latencyMs: 5000 });
    const ac = new AbortController();
    const pending = client().getDocument('2019-22210', { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('job cancelled')), 100);
    await expect(pending).rejects.toMatchObject({ code: 'FR_ABORTED' });
    expect((await stats()).byKind.document!.count).toBe(1);
  });
});

describe('conditional requests', () => {
  it('an unchanged search costs 304s and returns the stored pages', async () => {
    const c = client({ perPage: 5, http: { conditionalStore: new MemoryConditionalStore() } });
    const first = await c.entityListCandidates({ since: '2016-01-01', signal: signal() });
    const second = await c.entityListCandidates({ since: '2016-01-01', signal: signal() });
    expect(first.notModifiedPages).toBe(0);
    expect(second.notModifiedPages).toBe(second.pages);
    expect(second.documents).toEqual(first.documents);
    expect((await stats()).byKind.search!.statuses).toEqual({ '200': first.pages, '304': second.pages });
    // When the clock moves the answer changes: 200 again.
    server.setNow(Date.parse('2019-01-01T00:00:00Z'));
    const third = await c.entityListCandidates({ since: '2016-01-01', signal: signal() });
    server.setNow(Date.parse('2035-01-01T00:00:00Z'));
    expect(third.notModifiedPages).toBe(0);
    expect(third.count).toBe(bis.filter((d) => d.date <= '2019-01-01').length);
  });
});

describe('rate budget, measured at the server', () => {
  it(
    'never more than 5 API requests, nor more than 1 XML download, in any second',
    { timeout: 60_000 },
    async () => {
      const c = client();
      const numbers = bis.map((d) => d.number);
      const work = [
        ...numbers.map((n) => c.getDocument(n, { signal: signal() })),
        ...numbers.slice(0, 10).map((n) => c.getDocument(n, { signal: signal() })),
        ...numbers
          .slice(0, 4)
          .map((n) =>
            c.getFullTextXml(
              `/documents/full_text/xml/${bis.find((d) => d.number === n)!.date.replace(/-/g, '/')}/${n}.xml`,
              { signal: signal() },
            ),
          ),
      ];
      await Promise.all(work);
      const s = await stats();
      expect(s.api.count).toBe(numbers.length + 10 + 4);
      expect(s.byKind.xml!.count).toBe(4);
      expect(s.api.maxPerSecond).toBeLessThanOrEqual(5);
      expect(s.byKind.xml!.maxPerSecond).toBeLessThanOrEqual(1);
      // The budget is used, not idle: five in some second.
      expect(s.api.maxPerSecond).toBe(5);
    },
  );

  it('control: without the budget the same measurement sees more than 5 per second', async () => {
    const c = client({ apiBudget: new RateBudget({ limit: 1000, windowMs: 1000 }) });
    await Promise.all(bis.map((d) => c.getDocument(d.number, { signal: signal() })));
    expect((await stats()).api.maxPerSecond).toBeGreaterThan(5);
  });
});

describe('public inspection', () => {
  it('reads current.json and available_on listings', async () => {
    server.setNow(Date.parse('2019-10-08T12:00:00Z'));
    try {
      const c = client();
      const current = await c.publicInspectionCurrent({ signal: signal() });
      expect(current.map((d) => d.document_number)).toEqual(['2019-22210']);
      const onDay = await c.publicInspectionOn('2019-10-07', { signal: signal() });
      expect(onDay.map((d) => d.document_number)).toEqual(['2019-22210']);
    } finally {
      server.setNow(Date.parse('2035-01-01T00:00:00Z'));
    }
  });
});
