import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EVENT_TYPES, type CloudEvent } from '../../src/events/cloudevent.js';
import { validateEvent } from '../../src/events/validate.js';
import type { PollOutcome } from '../../src/pipeline/poll.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import { DocumentCursor } from '../../src/store/cursor.js';
import { corpusDocuments, DEV_CORPUS, readSnapshot } from '../support/fixtures.js';
import { independentlyVerified, startReceiver, type Receiver } from '../support/receiver.js';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/service.js';
import { jobCompleted, queuesDrained, waitFor, WORK_QUEUES } from '../support/wait.js';

/**
 * The whole service end to end on the dev timeline: real Redis, the replay server over real HTTP,
 * real receivers on 127.0.0.1. One receiver takes everything, one only Russia, one fails the first
 * two attempts of every delivery.
 */
const redisUrl = inject('redisUrl');
const RUSSIA = 'RUSSIA';

let h: Harness;
let all: Receiver;
let russia: Receiver;
let flaky: Receiver;
const secrets = new Map<Receiver, string>();
const flakyAttempts = new Map<string, number>();

async function subscribe(receiver: Receiver, filter?: object): Promise<void> {
  const res = await request(`${h.api}/v1/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${receiver.url}/hook`, ...(filter ? { filter } : {}) }),
  });
  expect(res.statusCode).toBe(201);
  const body = (await res.body.json()) as { id: string; secret: string };
  expect(body.secret).toMatch(/^whsec_/);
  secrets.set(receiver, body.secret);
}

async function getJson<T>(path: string): Promise<T> {
  const res = await request(`${h.api}${path}`);
  expect(res.statusCode).toBe(200);
  return (await res.body.json()) as T;
}

const expectedEntryChanges = corpusDocuments().reduce((n, d) => n + d.expected.changes.length, 0);
const ids = (r: Receiver, type?: (t: string) => boolean): string[] =>
  r.received
    .filter((x) => x.headers['webhook-id'] && (!type || type((JSON.parse(x.body) as CloudEvent).type)))
    .map((x) => String(x.headers['webhook-id']));
const isEntry = (t: string): boolean => t.startsWith('gov.bis.entitylist.entry.');

beforeAll(async () => {
  h = await startHarness(redisUrl);
  all = await startReceiver();
  russia = await startReceiver();
  flaky = await startReceiver((r, res) => {
    const id = String(r.headers['webhook-id']);
    const n = (flakyAttempts.get(id) ?? 0) + 1;
    flakyAttempts.set(id, n);
    res.writeHead(n <= 2 ? 503 : 200).end();
  });
  await subscribe(all);
  await subscribe(russia, { countries: [RUSSIA] });
  await subscribe(flaky);
  // Publish the whole timeline: the poller finds every document on its next pass.
  h.replay.setNow(Date.parse('2035-01-01T00:00:00Z'));
  await waitFor(
    () =>
      new Set(ids(all, isEntry)).size >= expectedEntryChanges &&
      new Set(ids(flaky, isEntry)).size >= expectedEntryChanges &&
      new Set(ids(russia)).size > 0,
    { what: 'every entry event at every receiver', timeout: 120_000 },
  );
  // Any retries still scheduled land before the assertions count them.
  await queuesDrained(WORK_QUEUES.map((n) => h.service.ctx.queues[n]));
}, 180_000);

afterAll(async () => {
  await h?.close();
  await Promise.all([all, russia, flaky].map((r) => r?.close()));
});

describe('the service on the dev timeline', () => {
  it('delivers every entry event to the unfiltered receiver once, signed', () => {
    const entryIds = ids(all, isEntry);
    expect(entryIds).toHaveLength(expectedEntryChanges);
    expect(new Set(entryIds).size).toBe(expectedEntryChanges);
    expect(all.received.every((r) => independentlyVerified(r, secrets.get(all)!))).toBe(true);
  });

  it('delivers to the Russia subscription exactly the events about Russia', async () => {
    const feed = await getJson<{ events: CloudEvent[] }>('/v1/events?limit=100000');
    const want = feed.events
      .filter((e) => (e.data as { country?: string }).country === RUSSIA)
      .map((e) => e.id)
      .sort();
    expect(want.length).toBeGreaterThan(20);
    expect(ids(russia).sort()).toEqual(want);
    expect(russia.received.every((r) => independentlyVerified(r, secrets.get(russia)!))).toBe(true);
  });

  it('retries the failing receiver until each event gets through, with the same id every time', () => {
    const got = ids(flaky, isEntry);
    expect(new Set(got).size).toBe(expectedEntryChanges);
    // Two 503s then a 200 for every event: three attempts each, each signed afresh.
    for (const id of new Set(ids(flaky))) expect(flakyAttempts.get(id)).toBe(3);
    expect(flaky.received.every((r) => independentlyVerified(r, secrets.get(flaky)!))).toBe(true);
  });

  it('keeps a feed of valid CloudEvents with unique ids, one rule.published per document', async () => {
    const feed = await getJson<{ events: CloudEvent[]; next: string }>('/v1/events?limit=100000');
    const entry = feed.events.filter((e) => isEntry(e.type));
    expect(entry).toHaveLength(expectedEntryChanges);
    expect(new Set(feed.events.map((e) => e.id)).size).toBe(feed.events.length);
    expect(feed.events.filter((e) => e.type === EVENT_TYPES.rulePublished)).toHaveLength(
      corpusDocuments().filter((d) =>
        (d.api.agencies as Array<{ slug?: string }>).some((a) => a.slug === 'industry-and-security-bureau'),
      ).length,
    );
    for (const e of feed.events) expect(validateEvent(e)).toEqual({ valid: true });
    // Paging: two halves joined are the whole.
    const first = await getJson<{ events: CloudEvent[]; next: string }>(`/v1/events?limit=50`);
    const rest = await getJson<{ events: CloudEvent[]; next: string }>(
      `/v1/events?after=${first.next}&limit=100000`,
    );
    expect([...first.events, ...rest.events].map((e) => e.id)).toEqual(feed.events.map((e) => e.id));
    const empty = await getJson<{ events: CloudEvent[]; next: string }>(`/v1/events?after=${feed.next}`);
    expect(empty).toEqual({ events: [], next: feed.next });
  });

  it('serves the list as final.json has it', async () => {
    const got = await getJson<Snapshot>('/v1/entities');
    const want = readSnapshot(join(DEV_CORPUS, 'final.json'));
    expect(got.entries).toHaveLength(want.entries.length);
    const byKey = (s: Snapshot) => new Map(s.entries.map((e) => [`${e.country}|${e.name}`, e]));
    const g = byKey(got);
    for (const [key, w] of byKey(want)) {
      const e = g.get(key);
      expect(e, key).toBeDefined();
      const trim = (xs: string[]) => xs.map((x) => x.replace(/\.$/, '').replace(/^and /, ''));
      // SGM Most OOO: the generated final.json lists its f.k.a. name first, the document last.
      const order = w.name === 'SGM Most OOO' ? (xs: string[]) => [...xs].sort() : (xs: string[]) => xs;
      expect(order(trim(e!.aliases)), key).toEqual(order(trim(w.aliases)));
      expect(trim(e!.addresses), key).toEqual(trim(w.addresses));
      expect([e!.licenseRequirement, e!.licenseReviewPolicy, e!.federalRegisterCitations], key).toEqual([
        w.licenseRequirement,
        w.licenseReviewPolicy,
        w.federalRegisterCitations,
      ]);
    }
  });

  it('serves the list as it stood on a past date', async () => {
    const before = await getJson<Snapshot>('/v1/entities?asOf=2019-10-08');
    const after = await getJson<Snapshot>('/v1/entities?asOf=2019-10-09');
    const hik = (s: Snapshot) => s.entries.some((e) => e.name.startsWith('Hangzhou Hikvision'));
    expect(hik(before)).toBe(false);
    expect(hik(after)).toBe(true);
    expect(after.entries.length - before.entries.length).toBe(28);
  });

  it('says what happened to a document', async () => {
    const doc = await getJson<{ status: string; events: CloudEvent[]; anomalies: unknown[] }>(
      '/v1/documents/2019-22210',
    );
    expect(doc.status).toBe('applied');
    expect(doc.events.filter((e) => e.type === EVENT_TYPES.entryAdded)).toHaveLength(28);
    expect(doc.anomalies).toEqual([]);
    const missing = await request(`${h.api}/v1/documents/1999-00001`);
    expect(missing.statusCode).toBe(404);
    await missing.body.dump();
  });

  it('creates no new events when the same documents are polled again', async () => {
    const before = await getJson<{ events: CloudEvent[] }>('/v1/events?limit=100000');
    const { ctx } = h.service;
    // The poll's cursor, as the poll stage builds it (its start date plays no part here).
    const cursor = new DocumentCursor(ctx.redis, {
      prefix: ctx.keys.federalRegister,
      startDate: '2000-01-01',
    });
    const processedBefore = (await cursor.state()).processed;
    expect(processedBefore).toBeGreaterThan(0);
    // Forget the cursor's memory of what it processed: the documents come back from the search.
    // A scheduled poll already running when the cursor is cleared can write its own cursor back
    // after the clear, and the poll asked for below then starts after everything: clear and poll
    // again until one poll has found every document again.
    await waitFor(
      async () => {
        await cursor.clear();
        const job = await ctx.queues.poll.add(
          'poll',
          { v: 1, source: 'published' },
          { jobId: `poll-again-${randomUUID()}` },
        );
        // Proof that the poll ran: the job completed without skipping, and the cursor holds
        // every document again (this poll or a scheduled one found them all and marked them).
        const outcome = await jobCompleted<PollOutcome>(ctx.queues.poll, job.id!, 10_000);
        expect(outcome.skipped).toBeUndefined();
        return (await cursor.state()).processed >= processedBefore;
      },
      {
        what: `all ${processedBefore} documents marked processed again by a poll`,
        timeout: 45_000,
        interval: 0,
      },
    );
    // Whatever the poll put in line has been worked off before the log is compared.
    await queuesDrained(WORK_QUEUES.map((n) => ctx.queues[n]));
    const after = await getJson<{ events: CloudEvent[] }>('/v1/events?limit=100000');
    expect(after.events.map((e) => e.id)).toEqual(before.events.map((e) => e.id));
  });

  it('refuses admin routes without the token, and private addresses', async () => {
    const noAuth = await request(`${h.api}/v1/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/x' }),
    });
    expect(noAuth.statusCode).toBe(401);
    await noAuth.body.dump();
    const list = await request(`${h.api}/v1/subscriptions`, {
      headers: { authorization: 'Bearer wrong-token-000000' },
    });
    expect(list.statusCode).toBe(401);
    await list.body.dump();
    const privateUrl = await request(`${h.api}/v1/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://10.0.0.8/hook' }),
    });
    expect(privateUrl.statusCode).toBe(422);
    expect(((await privateUrl.body.json()) as { error: { code: string } }).error.code).toBe(
      'WEBHOOK_URL_FORBIDDEN',
    );
  });
});
