import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ListedEntry, Snapshot } from '../../src/entity-list/types.js';
import type { CloudEvent } from '../../src/events/cloudevent.js';
import { createLogger } from '../../src/observe/logger.js';
import { createReplayServer, type ReplayServer } from '../../src/replay/server.js';
import { startService, type Service } from '../../src/service.js';
import { parseEcfrSupplement4 } from '../../src/sources/ecfr.js';
import { FIXTURES } from '../support/fixtures.js';
import { independentlyVerified, startReceiver, type Receiver } from '../support/receiver.js';
import { ADMIN_TOKEN, dropPrefix, testConfig, uniquePrefix, waitFor } from '../support/service.js';

/**
 * The whole service on real documents, end to end: no state imported, so the first poll seeds the
 * list from the real eCFR Supplement No. 4 of 2026-07-23 (3,411 entries, served by the replay server
 * as the versioner serves it); then the two real rules of 24 Aug 2026, in the real Federal Register
 * XML layout, are published; the service extracts them, applies them and delivers signed webhooks
 * to a receiver on 127.0.0.1. `/v1/entities` must then be the real list with exactly the Turkish
 * entry gone and Arrow Electronics (Hong Kong) revised as the rule prints it — the expected list is
 * built here from the eCFR file and the rules' hand-written expected extraction, not by the service.
 *
 * The API records are the real ones the scraper recorded (test/fixtures/real/fr-text/*.record.json)
 * without their full text, plus the fields the search needs that the recording lacks:
 * `cfr_references` (15 CFR 744, as the rules' CFR line says) and `full_text_xml_url` (where
 * federalregister.gov serves a document's XML, by its publication date and number, relative to
 * the replay server as in the dev corpus).
 */
const redisUrl = inject('redisUrl');
const REAL = join(FIXTURES, 'real');
const ECFR_GZ = join(REAL, 'ecfr', 'part-744', 'title-15-part-744-2026-07-23.xml.gz');
const RULES = ['2026-17230', '2026-17231'] as const;

interface ExpectedExtraction {
  changes: Array<{ action: string; country: string; entry: Partial<ListedEntry> & { name: string } }>;
}

let dir: string;
let replay: ReplayServer;
let service: Service;
let receiver: Receiver;
let secret: string;
let prefix: string;

const expectedRule = (n: string): ExpectedExtraction =>
  JSON.parse(readFileSync(join(REAL, 'fr-text', 'expected', `${n}.json`), 'utf8')) as ExpectedExtraction;

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await request(`${service.url!}${path}`);
  return { status: res.statusCode, body: (await res.body.json()) as T };
}

const entryEvents = (): CloudEvent[] =>
  receiver.received
    .map((r) => JSON.parse(r.body) as CloudEvent)
    .filter((e) => e.type.startsWith('gov.bis.entitylist.entry.'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fw-real-timeline-'));
  for (const sub of ['api', 'docs', 'ecfr']) mkdirSync(join(dir, sub));
  copyFileSync(ECFR_GZ, join(dir, 'ecfr', '2026-07-23.xml.gz'));
  for (const n of RULES) {
    copyFileSync(join(REAL, 'fr-text', `${n}.xml`), join(dir, 'docs', `${n}.xml`));
    const record = JSON.parse(readFileSync(join(REAL, 'fr-text', `${n}.record.json`), 'utf8')) as Record<
      string,
      unknown
    >;
    delete record.full_text;
    record.cfr_references = [{ title: 15, part: 744, chapter: null, citation_url: null }];
    record.full_text_xml_url = `/documents/full_text/xml/2026/08/24/${n}.xml`;
    writeFileSync(join(dir, 'api', `${n}.json`), JSON.stringify(record, null, 2));
  }
  replay = await createReplayServer({ corpusDir: dir, now: '2026-07-24T12:00:00Z', host: '127.0.0.1' });
  prefix = uniquePrefix('real');
  const config = testConfig(redisUrl, prefix, replay.apiBase, {
    ECFR_ENABLED: 'true',
    BOOTSTRAP_FROM_ECFR: 'true',
    DATA_DIR: join(dir, 'data'),
  });
  service = await startService({
    config,
    logger: createLogger(config.logLevel),
    sourceNow: () => replay.now(),
  });

  // First run: the state is seeded from eCFR as of the day before the clock.
  await waitFor(
    'the state seeded from eCFR',
    async () => {
      const res = await getJson<Snapshot>('/v1/entities');
      return res.status === 200 && res.body.entries.length > 0 ? true : undefined;
    },
    120_000,
  );

  receiver = await startReceiver();
  const res = await request(`${service.url!}/v1/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `${receiver.url}/hook` }),
  });
  expect(res.statusCode).toBe(201);
  secret = ((await res.body.json()) as { secret: string }).secret;

  // The rules of 24 Aug 2026 are published.
  replay.setNow(Date.parse('2026-08-25T12:00:00Z'));
  await waitFor('both entry events delivered', () => (entryEvents().length >= 2 ? true : undefined), 120_000);
  // The rules' own events (rule.published) come after their entries; let them land too.
  await waitFor(
    'both rules applied',
    async () => {
      const docs = await Promise.all(RULES.map((n) => getJson<{ status: string }>(`/v1/documents/${n}`)));
      return docs.every((d) => d.status === 200 && d.body.status === 'applied') ? true : undefined;
    },
    60_000,
  );
}, 300_000);

afterAll(async () => {
  await service?.close();
  await replay?.close();
  await receiver?.close();
  await dropPrefix(redisUrl, prefix);
  rmSync(dir, { recursive: true, force: true });
});

const CONTRACT = [
  'country',
  'name',
  'aliases',
  'addresses',
  'licenseRequirement',
  'licenseReviewPolicy',
  'federalRegisterCitations',
] as const;

const contractOf = (e: ListedEntry): string =>
  JSON.stringify(Object.fromEntries(CONTRACT.map((f) => [f, e[f] ?? null])));

describe('real eCFR list + real rules in the real layout, through the whole service', () => {
  it('delivers one removal and one revision, signed, and nothing else about entries', () => {
    const events = entryEvents();
    expect(events.map((e) => e.type).sort()).toEqual([
      'gov.bis.entitylist.entry.removed',
      'gov.bis.entitylist.entry.revised',
    ]);
    for (const r of receiver.received) expect(independentlyVerified(r, secret)).toBe(true);
    const removed = events.find((e) => e.type.endsWith('.removed'))!;
    expect(removed.source).toBe('https://www.federalregister.gov/documents/2026-17230');
    const revised = events.find((e) => e.type.endsWith('.revised'))!;
    expect(revised.source).toBe('https://www.federalregister.gov/documents/2026-17231');
  });

  it('serves the real list with exactly the Turkish entry gone and Arrow as the rule prints it', async () => {
    const before = parseEcfrSupplement4(gunzipSync(readFileSync(ECFR_GZ)).toString('utf8'), {
      asOf: '2026-07-23',
    }).snapshot.entries;
    expect(before).toHaveLength(3411);

    const removal = expectedRule('2026-17230').changes[0]!;
    const revision = expectedRule('2026-17231').changes[0]!;
    // The removal names the entry with the start of its address: the one entry whose cell it begins.
    const gone = before.filter(
      (e) =>
        e.country === removal.country &&
        `${e.name}, ${(e.addresses ?? []).join('; ')}`.startsWith(removal.entry.name),
    );
    expect(gone).toHaveLength(1);
    const expected = before
      .filter((e) => e !== gone[0])
      .map((e) =>
        e.country === revision.country && e.name === revision.entry.name
          ? { ...e, ...revision.entry, country: revision.country }
          : e,
      );
    expect(expected).toHaveLength(3410);

    const { status, body } = await getJson<Snapshot>('/v1/entities');
    expect(status).toBe(200);
    expect(body.entries.map(contractOf).sort()).toEqual(
      expected.map((e) => contractOf(e as ListedEntry)).sort(),
    );

    const arrow = body.entries.find((e) => e.name === revision.entry.name)!;
    expect(arrow.addresses).toHaveLength(5);
    expect(arrow.federalRegisterCitations.at(-1)).toBe('91 FR 54659, 8/24/26');
  });
});
