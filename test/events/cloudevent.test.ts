import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { documentFactsFromApi } from '../../src/entity-list/document.js';
import { diffSnapshots } from '../../src/entity-list/diff.js';
import {
  anomalyEvent,
  documentOrigin,
  driftEvent,
  entryAddedEvent,
  publicInspectionEvent,
  rulePublishedEvent,
} from '../../src/events/builders.js';
import { canonicalJson, eventId, timeOfDate } from '../../src/events/cloudevent.js';
import { loadBaseline, loadDocument } from '../entity-list/corpus.js';

const baseline = loadBaseline();
const facts = documentFactsFromApi({
  document_number: '2019-22210',
  publication_date: '2019-10-09',
  effective_on: '2019-10-09',
  citation: '84 FR 54002',
  html_url: '/documents/2019/10/09/2019-22210/addition-of-certain-entities-to-the-entity-list',
});

describe('event ids (pure)', () => {
  it('hash canonical JSON, so field order does not change an id', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (record) => {
        const reversed = Object.fromEntries(Object.entries(record).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(record));
        expect(eventId([reversed])).toBe(eventId([record]));
      }),
    );
  });

  it('differ when any part differs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        fc.array(fc.jsonValue(), { maxLength: 4 }),
        (a, b) => {
          fc.pre(canonicalJson(a) !== canonicalJson(b));
          expect(eventId(a)).not.toBe(eventId(b));
        },
      ),
    );
    // Parts are delimited: moving text between parts is a different id.
    expect(eventId(['ab', 'c'])).not.toBe(eventId(['a', 'bc']));
  });

  it('are 32 hex digits', () => {
    expect(eventId(['2019-22210', 'x'])).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('event builders (pure)', () => {
  const entry = baseline.entries[0]!;

  it('build a CloudEvents 1.0 envelope for a document change', () => {
    const e = entryAddedEvent(documentOrigin(facts), entry);
    expect(e).toMatchObject({
      specversion: '1.0',
      source: 'https://www.federalregister.gov/documents/2019-22210',
      type: 'gov.bis.entitylist.entry.added',
      subject: 'AFGHANISTAN|afghan german construction co',
      time: '2019-10-09T00:00:00Z',
      datacontenttype: 'application/json',
      data: {
        key: 'AFGHANISTAN|afghan german construction co',
        documentNumber: '2019-22210',
        citation: '84 FR 54002',
        publicationDate: '2019-10-09',
        effectiveDate: '2019-10-09',
        htmlUrl:
          'https://www.federalregister.gov/documents/2019/10/09/2019-22210/addition-of-certain-entities-to-the-entity-list',
        entry,
      },
    });
  });

  it('identify a change by its content: the same entry added with other content is another event', () => {
    const a = entryAddedEvent(documentOrigin(facts), entry);
    const b = entryAddedEvent(documentOrigin(facts), {
      ...entry,
      addresses: [...entry.addresses, 'Herat, Afghanistan'],
    });
    expect(b.subject).toBe(a.subject);
    expect(b.id).not.toBe(a.id);
    expect(entryAddedEvent(documentOrigin(facts), structuredClone(entry)).id).toBe(a.id);
  });

  it('give an anomaly without an entry the document as subject', () => {
    const e = anomalyEvent(documentOrigin(facts), {
      code: 'EL_DOCUMENT_PREDATES_STATE',
      message: 'late',
      applied: true,
    });
    expect(e.subject).toBe('2019-22210');
  });

  it('build rule.published with the document as subject', () => {
    const counts = { added: 28, revised: 0, removed: 0, corrected: 0, anomalies: 0 };
    const e = rulePublishedEvent(facts, {
      isEntityListChange: true,
      counts,
      listSize: 300,
      asOf: '2019-10-09',
    });
    expect(e.subject).toBe('2019-22210');
    expect(e.data.counts).toEqual(counts);
    expect(timeOfDate('2019-10-09')).toBe(e.time);
  });

  it('build rule.public_inspection from provisional changes, re-polls keeping the id', () => {
    const changes = loadDocument('2024-10314').changes;
    const input = {
      documentNumber: '2024-10314',
      publicationDate: '2024-05-08',
      filedAt: '2024-05-07T12:45:00Z',
      changes,
    };
    const e = publicInspectionEvent(input);
    expect(e.time).toBe('2024-05-07T12:45:00Z');
    expect(e.data.provisional).toBe(true);
    expect(e.data.counts).toEqual({ add: 46, revise: 2, remove: 0, correct: 0 });
    expect(publicInspectionEvent(structuredClone(input)).id).toBe(e.id);
    expect(publicInspectionEvent({ ...input, changes: changes.slice(1) }).id).not.toBe(e.id);
    expect(publicInspectionEvent({ documentNumber: '2024-10314', publicationDate: '2024-05-08' }).time).toBe(
      '2024-05-08T00:00:00Z',
    );
  });

  it('build drift from a diff of the derived state against an observed list', () => {
    const observed = { asOf: '2016-04-01', entries: baseline.entries.slice(2) };
    const e = driftEvent(diffSnapshots(baseline, observed, { source: 'https://www.ecfr.gov/x' }));
    expect(e.source).toBe('https://www.ecfr.gov/x');
    expect(e.data.counts).toEqual({ missing: 2, unexpected: 0, differs: 0 });
    expect(e.data.differences.map((d) => d.kind)).toEqual(['missing', 'missing']);
    expect(e.data.expectedAsOf).toBe(baseline.asOf);
    expect(e.data.observedAsOf).toBe('2016-04-01');
  });
});
