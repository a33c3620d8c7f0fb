import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyDocument, applyDocuments } from '../../src/entity-list/apply.js';
import { evaluateDiff } from '../../src/entity-list/circuit-breaker.js';
import { diffSnapshots } from '../../src/entity-list/diff.js';
import { driftEvent, publicInspectionEvent, sourceEditorialEvents } from '../../src/events/builders.js';
import { ALL_EVENT_TYPES } from '../../src/events/cloudevent.js';
import type { EntityListEvent } from '../../src/events/types.js';
import { assertValidEvent, EVENT_SCHEMAS, validateEvent } from '../../src/events/validate.js';
import { loadBaseline, loadDocument, loadFinal, loadTimeline } from '../entity-list/corpus.js';

const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/events/', import.meta.url));
const baseline = loadBaseline();
const final = loadFinal();

/** One of each kind of event the service builds, from the dev corpus. */
function everyKindOfEvent(): EntityListEvent[] {
  const replay = applyDocuments(baseline, loadTimeline()).events;
  const doc = loadDocument('2019-11153');
  const anomalies = applyDocument(baseline, {
    ...doc,
    documentNumber: '2019-99999',
    changes: [
      { action: 'remove', country: 'MALAYSIA', entry: { name: 'Nobody Sdn Bhd Ventures' } },
      { action: 'revise', country: 'IRAN', entry: { name: 'Wong Yung Fai' } },
      { action: 'add', country: 'IRAN', entry: { name: 'Bahman Ghandi' } },
    ],
  }).events;
  // A source list re-rendered: the same words, other punctuation and case.
  const rerendered = {
    ...baseline,
    asOf: '2016-03-22',
    entries: baseline.entries.map((e, i) =>
      i % 50 === 0
        ? { ...e, name: e.name.toUpperCase(), licenseReviewPolicy: `${e.licenseReviewPolicy}.` }
        : e,
    ),
  };
  const editorial = sourceEditorialEvents(diffSnapshots(baseline, rerendered));
  const held = evaluateDiff(
    diffSnapshots(final, { asOf: '2024-05-09', entries: final.entries.slice(100) }),
    final,
  ).anomaly!;
  const inspection = publicInspectionEvent({
    documentNumber: '2024-10314',
    publicationDate: '2024-05-08',
    filedAt: '2024-05-07T08:45:00-04:00',
    title: 'Addition of Certain Entities to the Entity List',
    pdfUrl: 'https://public-inspection.federalregister.gov/2024-10314.pdf',
    changes: loadDocument('2024-10314').changes.map((c) => ({ ...c, provisional: true })),
  });
  const drift = driftEvent(
    diffSnapshots(baseline, { ...final, entries: [...baseline.entries.slice(1), final.entries[0]!] }),
  );
  return [...replay, ...anomalies, ...editorial, held, inspection, drift];
}

describe('event JSON Schemas (draft 2020-12, ajv)', () => {
  const events = everyKindOfEvent();

  it('are published for every event type, one file each', () => {
    const files = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json'));
    for (const type of ALL_EVENT_TYPES) {
      const file = `${type.replace('gov.bis.entitylist.', '')}.schema.json`;
      expect(files).toContain(file);
      const schema = JSON.parse(readFileSync(`${SCHEMA_DIR}${file}`, 'utf8')) as {
        $schema: string;
        title: string;
      };
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.title).toBe(type);
      expect(EVENT_SCHEMAS[type]).toEqual(schema);
    }
  });

  it('cover every type in the sample', () => {
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(ALL_EVENT_TYPES));
  });

  it('accept every event we build', () => {
    const invalid = events
      .map((e) => ({ id: e.id, type: e.type, result: validateEvent(e) }))
      .filter((r) => !r.result.valid);
    expect(invalid).toEqual([]);
  });

  it('accept events after a JSON round trip, as receivers see them', () => {
    for (const e of events) expect(validateEvent(JSON.parse(JSON.stringify(e)))).toEqual({ valid: true });
  });

  it('give entry events the entry key as subject', () => {
    for (const e of events) {
      if (e.type.startsWith('gov.bis.entitylist.entry.'))
        expect(e.subject).toBe((e.data as { key: string }).key);
    }
  });

  const revised = () =>
    structuredClone(events.find((e) => e.type === 'gov.bis.entitylist.entry.revised')!) as unknown as Record<
      string,
      unknown
    > & { data: Record<string, unknown> };

  it.each<[string, (e: ReturnType<typeof revised>) => void]>([
    ['no subject', (e) => delete e.subject],
    ['an id that is not 32 hex digits', (e) => (e.id = 'doc-2016-19320')],
    ['a date where CloudEvents wants a timestamp', (e) => (e.time = '2016-09-16')],
    ['another specversion', (e) => (e.specversion = '0.3')],
    ['a revision without its before-state', (e) => delete e.data.before],
    ['a revision without field differences', (e) => delete e.data.changes],
    ['no document or snapshot origin', (e) => delete e.data.documentNumber],
    [
      'a text diff part with an unknown op',
      (e) =>
        ((
          e.data.changes as { licenseReviewPolicy: { parts: Array<{ op: string }> } }
        ).licenseReviewPolicy.parts[0]!.op = 'replace'),
    ],
  ])('reject an event with %s', (_what, spoil) => {
    const event = revised();
    spoil(event);
    const result = validateEvent(event);
    expect(result.valid).toBe(false);
    expect(() => assertValidEvent(event)).toThrow(/does not match its schema/);
  });

  it('reject an unknown type and an anomaly with an unknown code', () => {
    expect(validateEvent({ ...events[0], type: 'gov.bis.entitylist.entry.renamed' }).valid).toBe(false);
    const anomaly = structuredClone(events.find((e) => e.type === 'gov.bis.entitylist.anomaly')!);
    (anomaly.data as { code: string }).code = 'SOMETHING_ELSE';
    expect(validateEvent(anomaly).valid).toBe(false);
  });
});
