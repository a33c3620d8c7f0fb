import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayServer } from '../../src/replay/server.js';
import {
  bisDocuments,
  corpusWithDates,
  DEV_CORPUS,
  getJson,
  postJson,
  readJson,
  startReplay,
} from './helpers.js';

/** HTTP tier: the replay server over real HTTP on 127.0.0.1, checked the way acceptance checks it. */

const apiFiles = readdirSync(join(DEV_CORPUS, 'api'));
const bis = bisDocuments(DEV_CORPUS, apiFiles);

describe('replay server: search, documents, XML, clock', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplay({ now: '2035-01-01T00:00:00Z' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('pages the BIS documents with per_page=3, oldest first, following next_page_url, each once', async () => {
    let url: string | undefined =
      `${server.url}/api/v1/documents.json?conditions[agencies][]=industry-and-security-bureau&per_page=3&order=oldest` +
      '&fields[]=document_number&fields[]=full_text_xml_url&fields[]=publication_date';
    const seen: string[] = [];
    const dates: string[] = [];
    let pages = 0;
    let firstCount: number | undefined;
    while (url && pages < 50) {
      const { status, body } = await getJson(url);
      expect(status).toBe(200);
      firstCount ??= body.count;
      for (const r of body.results) {
        expect(Object.keys(r).sort()).toEqual(['document_number', 'full_text_xml_url', 'publication_date']);
        seen.push(r.document_number);
        dates.push(r.publication_date);
      }
      url = body.next_page_url ? new URL(body.next_page_url, server.url).toString() : undefined;
      pages++;
    }
    expect(firstCount).toBe(bis.length);
    expect(seen.length).toBe(bis.length);
    expect(new Set(seen)).toEqual(new Set(bis.map((d) => d.number)));
    expect(pages).toBe(Math.ceil(bis.length / 3));
    expect([...dates].sort()).toEqual(dates);
  });

  it('answers the real API shape: count, description, total_pages, next/previous page URLs', async () => {
    const { body } = await getJson(
      `${server.url}/api/v1/documents?conditions[agencies][]=industry-and-security-bureau&per_page=5&page=2&order=newest`,
    );
    expect(Object.keys(body)).toEqual([
      'count',
      'description',
      'total_pages',
      'next_page_url',
      'previous_page_url',
      'results',
    ]);
    expect(body.total_pages).toBe(Math.ceil(bis.length / 5));
    expect(body.next_page_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/documents\?.*page=3/);
    // Default fields (no fields[]): the API's default set, URLs absolute.
    const r = body.results[0];
    expect(r).toHaveProperty('html_url');
    expect(r).not.toHaveProperty('full_text_xml_url');
    expect(r.html_url.startsWith(server.url)).toBe(true);
    const dates = body.results.map((x: { publication_date: string }) => x.publication_date);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it('applies type, CFR and publication_date conditions', async () => {
    const base = `${server.url}/api/v1/documents.json?fields[]=document_number&per_page=100`;
    const all = (await getJson(base)).body;
    expect(all.count).toBe(apiFiles.filter((f) => /^\d/.test(f)).length);
    const cfr = (
      await getJson(`${base}&conditions[cfr][title]=15&conditions[cfr][part]=744&conditions[type][]=RULE`)
    ).body;
    const numbers = cfr.results.map((r: { document_number: string }) => r.document_number);
    expect(numbers).not.toContain('2021-05351'); // the Treasury rule under 31 CFR 589
    expect(cfr.count).toBe(bis.length);
    const onDay = (await getJson(`${base}&conditions[publication_date][is]=2019-10-09`)).body;
    expect(onDay.results.map((r: { document_number: string }) => r.document_number)).toEqual(['2019-22210']);
    const range = (
      await getJson(
        `${base}&conditions[publication_date][gte]=2019-01-01&conditions[publication_date][lte]=2019-12-31`,
      )
    ).body;
    expect(range.count).toBe(2);
    const term = (await getJson(`${base}&conditions[term]=Hikvision`)).body;
    expect(term.results.map((r: { document_number: string }) => r.document_number)).toEqual(['2019-22210']);
    const none = (await getJson(`${base}&conditions[type][]=NOTICE`)).body;
    expect(none.count).toBe(0);
    expect(none.results).toEqual([]);
    expect((await getJson(`${base}&conditions[type][]=BOGUS`)).status).toBe(400);
    expect((await getJson(`${server.url}/api/v1/documents.json?per_page=abc`)).status).toBe(400);
  });

  it('serves one document with and without .json, and its XML byte for byte', async () => {
    const num = bis[0]!.number;
    const a = await getJson(`${server.url}/api/v1/documents/${num}.json`);
    const b = await getJson(`${server.url}/api/v1/documents/${num}?publication_date=${bis[0]!.date}`);
    expect(a.status).toBe(200);
    expect(b.body).toEqual(a.body);
    const stored = readJson<Record<string, unknown>>(join(DEV_CORPUS, 'api', `${num}.json`));
    expect(Object.keys(a.body).sort()).toEqual(Object.keys(stored).sort());
    const res = await fetch(a.body.full_text_xml_url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/xml');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.equals(readFileSync(join(DEV_CORPUS, 'docs', `${num}.xml`)))).toBe(true);
  });

  it('hides everything published after the clock, and shows it again when the clock moves', async () => {
    const q = `${server.url}/api/v1/documents.json?conditions[agencies][]=industry-and-security-bureau`;
    await postJson(`${server.url}/_replay/clock`, { now: '1990-01-01T00:00:00Z' });
    expect((await getJson(q)).body.count).toBe(0);
    expect((await getJson(`${server.url}/api/v1/documents/2019-22210.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/documents/full_text/xml/2019/10/09/2019-22210.xml`)).status).toBe(404);
    await postJson(`${server.url}/_replay/clock`, { now: '2019-10-09' });
    expect((await getJson(`${server.url}/_replay/clock`)).body).toEqual({ now: '2019-10-09T00:00:00.000Z' });
    const visible = bis.filter((d) => d.date <= '2019-10-09').length;
    expect((await getJson(q)).body.count).toBe(visible);
    expect((await postJson(`${server.url}/_replay/clock`, { now: 'yesterday' })).status).toBe(400);
    await postJson(`${server.url}/_replay/clock`, { now: '2035-01-01T00:00:00Z' });
  });

  it('answers 304 to If-None-Match with the current ETag', async () => {
    const url = `${server.url}/api/v1/documents/2019-22210.json`;
    const first = await fetch(url);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const second = await fetch(url, { headers: { 'if-none-match': etag! } });
    expect(second.status).toBe(304);
  });
});

describe("replay server: records that carry the Federal Register's absolute URLs", () => {
  // Real API records name their full text as https://www.federalregister.gov/documents/full_text/…
  // (test/fixtures/real/fr-text/*.record.json); a replay must not send the client to the real site.
  const num = bis[0]!.number;
  let dir: { dir: string; cleanup: () => void };
  let server: ReplayServer;
  beforeAll(async () => {
    dir = corpusWithDates({});
    const file = join(dir.dir, 'api', `${num}.json`);
    const record = readJson<Record<string, unknown>>(file);
    record.full_text_xml_url = `https://www.federalregister.gov${String(record.full_text_xml_url)}`;
    record.json_url = `https://www.federalregister.gov/api/v1/documents/${num}.json`;
    record.html_url = `https://www.federalregister.gov/documents/${num}/some-title`;
    writeFileSync(file, JSON.stringify(record, null, 2));
    server = await startReplay({ corpusDir: dir.dir });
  });
  afterAll(async () => {
    await server.close();
    dir.cleanup();
  });

  it("points full-text and API URLs at itself and leaves the site's page URLs alone", async () => {
    const { status, body } = await getJson(`${server.url}/api/v1/documents/${num}.json`);
    expect(status).toBe(200);
    expect(body.full_text_xml_url).toMatch(new RegExp(`^${server.url}/documents/full_text/xml/`));
    expect(body.json_url).toBe(`${server.url}/api/v1/documents/${num}.json`);
    expect(body.html_url).toBe(`https://www.federalregister.gov/documents/${num}/some-title`);
    const res = await fetch(body.full_text_xml_url);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.equals(readFileSync(join(DEV_CORPUS, 'docs', `${num}.xml`)))).toBe(true);
    const search = await getJson(
      `${server.url}/api/v1/documents.json?conditions[document_number][]=${num}&fields[]=full_text_xml_url`,
    );
    expect(search.body.results[0].full_text_xml_url).toBe(body.full_text_xml_url);
  });
});

describe('replay server: public inspection', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    // 2019-22210: "Filed 10–7–19; 8:45 am" for publication on 2019-10-09.
    server = await startReplay({ now: '2019-10-07T12:00:00Z' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('shows a filing from its FRDOC filing time until publication', async () => {
    const current = (): Promise<string[]> =>
      getJson(`${server.url}/api/v1/public-inspection-documents/current.json`).then((r) =>
        r.body.results.map((x: { document_number: string }) => x.document_number),
      );
    expect(await current()).not.toContain('2019-22210'); // 08:00 ET, not yet filed
    server.setNow(Date.parse('2019-10-07T13:00:00Z')); // 09:00 ET
    expect(await current()).toContain('2019-22210');
    const { body } = await getJson(`${server.url}/api/v1/public-inspection-documents/current.json`);
    const rec = body.results.find((x: { document_number: string }) => x.document_number === '2019-22210');
    expect(rec.filed_at).toBe('2019-10-07T08:45:00.000-04:00');
    expect(rec.filing_type).toBe('regular');
    expect(rec.publication_date).toBe('2019-10-09');
    expect(rec.pdf_url).toBe(`${server.url}/public-inspection/2019-22210.pdf`);
    const text = await fetch(rec.raw_text_url);
    expect(text.status).toBe(200);
    expect(await text.text()).toContain('Addition of Certain Entities to the Entity List');
    server.setNow(Date.parse('2019-10-09T00:00:00Z'));
    expect(await current()).not.toContain('2019-22210');
  });

  it('lists filings by available_on date', async () => {
    server.setNow(Date.parse('2035-01-01T00:00:00Z'));
    const on = (d: string): Promise<string[]> =>
      getJson(`${server.url}/api/v1/public-inspection-documents.json?conditions[available_on]=${d}`).then(
        (r) => r.body.results.map((x: { document_number: string }) => x.document_number),
      );
    expect(await on('2019-10-07')).toEqual(['2019-22210']);
    expect(await on('2019-10-08')).toEqual(['2019-22210']);
    expect(await on('2019-10-09')).toEqual([]);
    // 2016-19320 was filed at 4:15 pm: a special filing.
    const one = await getJson(`${server.url}/api/v1/public-inspection-documents/2016-19320.json`);
    expect(one.body.filing_type).toBe('special');
  });

  it('withdraws a filing: it leaves public inspection and is never published', async () => {
    server.setNow(Date.parse('2019-10-08T12:00:00Z'));
    await postJson(`${server.url}/_replay/documents`, {
      document_number: '2019-22210',
      withdrawnAt: '2019-10-08T15:00:00Z',
    });
    const current = async (): Promise<number> =>
      (await getJson(`${server.url}/api/v1/public-inspection-documents/current.json`)).body.count;
    expect(await current()).toBe(1);
    server.setNow(Date.parse('2019-10-08T16:00:00Z'));
    expect(await current()).toBe(0);
    server.setNow(Date.parse('2035-01-01T00:00:00Z'));
    expect((await getJson(`${server.url}/api/v1/documents/2019-22210.json`)).status).toBe(404);
    await fetch(`${server.url}/_replay/documents`, { method: 'DELETE' });
    expect((await getJson(`${server.url}/api/v1/documents/2019-22210.json`)).status).toBe(200);
  });
});

describe('replay server: faults and statistics', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplay();
  });
  afterAll(async () => {
    await server.close();
  });

  it('applies a status fault for a count of requests, then serves normally; stats count every request', async () => {
    await fetch(`${server.url}/_replay/stats`, { method: 'DELETE' });
    const added = await postJson(`${server.url}/_replay/faults`, {
      kind: 'document',
      status: 503,
      retryAfter: 2,
      count: 2,
    });
    expect(added.status).toBe(201);
    const url = `${server.url}/api/v1/documents/2019-22210.json`;
    const r1 = await fetch(url);
    expect(r1.status).toBe(503);
    expect(r1.headers.get('retry-after')).toBe('2');
    expect((await fetch(url)).status).toBe(503);
    expect((await fetch(url)).status).toBe(200);
    const rules = (await getJson(`${server.url}/_replay/faults`)).body.rules;
    expect(rules[0]).toMatchObject({ hits: 2, count: 2 });
    const stats = (await getJson(`${server.url}/_replay/stats`)).body;
    expect(stats.byKind.document.count).toBe(3);
    expect(stats.byKind.document.statuses).toEqual({ '503': 2, '200': 1 });
    expect(stats.byKind.document.timestamps).toHaveLength(3);
    await fetch(`${server.url}/_replay/faults`, { method: 'DELETE' });
  });

  it('matches faults by route pattern and draws probabilities from a seeded RNG', async () => {
    const run = async (): Promise<number[]> => {
      await fetch(`${server.url}/_replay/faults`, { method: 'DELETE' });
      await postJson(`${server.url}/_replay/faults`, [
        { route: '/api/v1/documents/*', status: 500, probability: 0.5, seed: 42 },
      ]);
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++)
        statuses.push((await fetch(`${server.url}/api/v1/documents/2019-22210.json`)).status);
      return statuses;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    expect(a).toContain(500);
    expect(a).toContain(200);
    await fetch(`${server.url}/_replay/faults`, { method: 'DELETE' });
  });

  it('drops connections and truncates bodies', async () => {
    await postJson(`${server.url}/_replay/faults`, { kind: 'search', drop: true, count: 1 });
    await expect(fetch(`${server.url}/api/v1/documents.json`)).rejects.toThrow();
    await postJson(`${server.url}/_replay/faults`, { kind: 'search', truncate: 'clean', count: 1 });
    const text = await (await fetch(`${server.url}/api/v1/documents.json`)).text();
    expect(() => JSON.parse(text)).toThrow();
    await postJson(`${server.url}/_replay/faults`, { kind: 'search', truncate: true, count: 1 });
    await expect(fetch(`${server.url}/api/v1/documents.json`).then((r) => r.text())).rejects.toThrow();
    expect((await fetch(`${server.url}/api/v1/documents.json`)).status).toBe(200);
  });

  it('refuses malformed fault rules with 400', async () => {
    expect((await postJson(`${server.url}/_replay/faults`, { kind: 'search' })).status).toBe(400);
    expect((await postJson(`${server.url}/_replay/faults`, { kind: 'nope', status: 500 })).status).toBe(400);
    expect((await postJson(`${server.url}/_replay/faults`, { route: '/x', status: 9000 })).status).toBe(400);
  });
});

describe('replay server: eCFR Supplement No. 4 from the timeline', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await startReplay();
  });
  afterAll(async () => {
    await server.close();
  });

  it('renders the baseline before the first document and the final state after the last', async () => {
    const baseline = readJson<{ asOf: string; entries: unknown[] }>(join(DEV_CORPUS, 'baseline.json'));
    const final = readJson<{ asOf: string; entries: unknown[] }>(join(DEV_CORPUS, 'final.json'));
    const rows = async (date: string): Promise<number> => {
      const res = await fetch(`${server.url}/api/versioner/v1/full/${date}/title-15.xml?part=744`);
      expect(res.status).toBe(200);
      const xml = await res.text();
      expect(xml).toContain('<DIV9 N="Supplement No. 4 to Part 744"');
      return (xml.match(/<TR>/g) ?? []).length - 1; // minus the header row
    };
    expect(await rows(baseline.asOf)).toBe(baseline.entries.length);
    expect(await rows(final.asOf)).toBe(final.entries.length);
    expect((await fetch(`${server.url}/api/versioner/v1/full/2019-10-09/title-15.xml?part=746`)).status).toBe(
      404,
    );
    server.setNow(Date.parse('2019-01-01T00:00:00Z'));
    expect((await fetch(`${server.url}/api/versioner/v1/full/2020-01-01/title-15.xml?part=744`)).status).toBe(
      404,
    );
  });
});
