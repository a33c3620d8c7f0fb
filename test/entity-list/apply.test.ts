import { describe, expect, it } from 'vitest';
import { applyDocument, applyDocuments } from '../../src/entity-list/apply.js';
import type { DocumentChanges } from '../../src/entity-list/document.js';
import { keyOf } from '../../src/entity-list/snapshot.js';
import type { ListedEntry, Snapshot } from '../../src/entity-list/types.js';
import type {
  AnomalyEvent,
  EntityListEvent,
  EntryCorrectedEvent,
  EntryRemovedEvent,
  EntryRevisedEvent,
  RulePublishedEvent,
} from '../../src/events/types.js';
import { loadBaseline, loadDocument, loadTimeline } from './corpus.js';

const baseline = loadBaseline();
const timeline = loadTimeline();

/** The state just before `documentNumber`, replaying the timeline from the baseline. */
function stateBefore(documentNumber: string): Snapshot {
  const index = timeline.findIndex((d) => d.documentNumber === documentNumber);
  expect(index).toBeGreaterThanOrEqual(0);
  return applyDocuments(baseline, timeline.slice(0, index)).next;
}

function ofType<T extends EntityListEvent>(events: readonly EntityListEvent[], type: T['type']): T[] {
  return events.filter((e): e is T => e.type === type);
}

function find(snapshot: Snapshot, country: string, name: string): ListedEntry | undefined {
  return snapshot.entries.find((e) => e.country === country && e.name === name);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

describe('applyDocument: a revision (2016-19320, pure)', () => {
  const prior = stateBefore('2016-19320');
  const doc = loadDocument('2016-19320');
  const { events } = applyDocument(prior, doc);
  const revised = ofType<EntryRevisedEvent>(events, 'gov.bis.entitylist.entry.revised');
  const wong = revised.find((e) => e.data.name === 'Wong Yung Fai');

  it('emits one revised event per revised entry, keyed by the entry', () => {
    expect(revised.map((e) => e.data.name).sort()).toEqual(['Bahman Ghandi', 'Wong Yung Fai']);
    expect(wong?.subject).toBe(keyOf({ country: "CHINA, PEOPLE'S REPUBLIC OF", name: 'Wong Yung Fai' }));
    expect(wong?.subject).toBe(wong?.data.key);
  });

  it('carries the entry before and after', () => {
    expect(wong?.data.before).toEqual(find(prior, "CHINA, PEOPLE'S REPUBLIC OF", 'Wong Yung Fai'));
    expect(wong?.data.entry.aliases).toEqual(['Tonny Wong', 'WYF']);
  });

  it('lists aliases added, citations appended, and the review policy as a word diff', () => {
    const changes = wong!.data.changes;
    expect(changes.changedFields).toEqual(['aliases', 'licenseReviewPolicy', 'federalRegisterCitations']);
    expect(changes.aliases).toEqual({ added: ['WYF'], removed: [], reordered: false });
    expect(changes.addresses).toEqual({ added: [], removed: [], reordered: false });
    expect(changes.federalRegisterCitations.added).toEqual(['81 FR 67097, 9/16/16']);
    expect(changes.federalRegisterCitations.removed).toEqual([]);
    expect(changes.licenseRequirement).toBeUndefined();
    const policy = changes.licenseReviewPolicy!;
    expect(policy.before).toBe('Presumption of denial');
    expect(policy.after).toBe('Policy of denial.');
    expect(policy.parts).toEqual([
      { op: 'delete', text: 'Presumption' },
      { op: 'insert', text: 'Policy' },
      { op: 'equal', text: ' of denial' },
      { op: 'insert', text: '.' },
    ]);
  });

  it('reports the match by key, with full confidence', () => {
    expect(wong?.data.match).toEqual({
      method: 'key',
      confidence: 1,
      instructedName: 'Wong Yung Fai',
      matchedText: 'Wong Yung Fai',
    });
  });

  it('dates the events by the rule and points at the document', () => {
    expect(wong?.source).toBe('https://www.federalregister.gov/documents/2016-19320');
    expect(wong?.time).toBe('2016-09-16T00:00:00Z');
    expect(wong?.data).toMatchObject({
      documentNumber: '2016-19320',
      citation: '81 FR 67097',
      publicationDate: '2016-09-16',
      effectiveDate: '2016-09-16',
    });
  });

  it('lists addresses removed (2017-13348, Dmitriy V Lukhanin)', () => {
    const result = applyDocument(stateBefore('2017-13348'), loadDocument('2017-13348'));
    const event = ofType<EntryRevisedEvent>(result.events, 'gov.bis.entitylist.entry.revised').find(
      (e) => e.data.name === 'Dmitriy V Lukhanin',
    );
    expect(event?.data.changes.addresses).toEqual({
      added: [],
      removed: ['130-17 Nevskiy Ave., Saint Petersburg, 191036, Russia'],
      reordered: false,
    });
  });
});

describe('applyDocument: removals (2019-11153, pure)', () => {
  const prior = stateBefore('2019-11153');
  const { next, events } = applyDocument(prior, loadDocument('2019-11153'));
  const removed = ofType<EntryRemovedEvent>(events, 'gov.bis.entitylist.entry.removed');

  it('takes the entries off the list', () => {
    expect(removed).toHaveLength(3);
    expect(next.entries).toHaveLength(prior.entries.length - 3);
    for (const e of removed) expect(next.entries.map(keyOf)).not.toContain(e.subject);
  });

  it('carries what each entry was', () => {
    for (const e of removed) {
      expect(e.data.before).toEqual(prior.entries.find((p) => keyOf(p) === e.subject));
      expect(e.data.before.federalRegisterCitations.length).toBeGreaterThan(0);
      expect(e.data).not.toHaveProperty('entry');
    }
  });
});

describe('applyDocument: corrections (pure)', () => {
  it('marks a correction and points at the corrected rule (2016-23223 corrects 2016-19320, 81 FR 67097)', () => {
    const prior = stateBefore('2016-23223');
    const { events, counts } = applyDocument(prior, loadDocument('2016-23223'));
    const [corrected, ...others] = ofType<EntryCorrectedEvent>(events, 'gov.bis.entitylist.entry.corrected');
    expect(others).toEqual([]);
    expect(counts).toMatchObject({ corrected: 1, revised: 0, anomalies: 0 });
    expect(corrected?.data.name).toBe('TGO General Trading LLC');
    expect(corrected?.data.corrects).toEqual({ citation: '81 FR 67097', basis: 'entry-citations' });
    expect(corrected?.data.before).toEqual(find(prior, 'UNITED ARAB EMIRATES', 'TGO General Trading LLC'));
    expect(corrected?.data.changes.changedFields.length).toBeGreaterThan(0);
  });

  it('shows a correction that adds its own citation (2020-17778)', () => {
    const { events } = applyDocument(stateBefore('2020-17778'), loadDocument('2020-17778'));
    const [corrected] = ofType<EntryCorrectedEvent>(events, 'gov.bis.entitylist.entry.corrected');
    expect(corrected?.data.corrects).toEqual({ citation: '85 FR 37648', basis: 'entry-citations' });
    expect(corrected?.data.changes.federalRegisterCitations.added).toEqual(['85 FR 55656, 8/20/20']);
  });

  it('uses the corrected document the instruction names', () => {
    const doc = loadDocument('2016-23223');
    const named: DocumentChanges = {
      ...doc,
      changes: doc.changes.map((c) => ({
        ...c,
        correctsDocument: '2016-19320',
        correctsCitation: '81 FR 67097',
      })),
    };
    const [corrected] = ofType<EntryCorrectedEvent>(
      applyDocument(stateBefore('2016-23223'), named).events,
      'gov.bis.entitylist.entry.corrected',
    );
    expect(corrected?.data.corrects).toEqual({
      documentNumber: '2016-19320',
      citation: '81 FR 67097',
      basis: 'instruction',
    });
  });
});

describe('applyDocument: anomalies (pure)', () => {
  const doc = loadDocument('2019-11153');
  const facts = {
    publicationDate: doc.publicationDate,
    effectiveDate: doc.effectiveDate,
    citation: doc.citation,
  };

  it('does not apply a removal of an entry the state does not hold, and says so with the whole instruction', () => {
    const unknown: DocumentChanges = {
      documentNumber: '2019-99999',
      isEntityListChange: true,
      ...facts,
      changes: [{ action: 'remove', country: 'MALAYSIA', entry: { name: 'Nobody Sdn Bhd Ventures' } }],
    };
    const prior = stateBefore('2019-11153');
    const { next, events, anomalies, counts } = applyDocument(prior, unknown);
    expect(next.entries).toEqual(prior.entries);
    expect(counts).toEqual({ added: 0, revised: 0, removed: 0, corrected: 0, anomalies: 1 });
    expect(anomalies).toHaveLength(1);
    const anomaly = anomalies[0]!;
    expect(events).toContain(anomaly);
    expect(anomaly.data).toMatchObject({
      code: 'EL_UNKNOWN_ENTRY',
      applied: false,
      action: 'remove',
      country: 'MALAYSIA',
      name: 'Nobody Sdn Bhd Ventures',
      instruction: unknown.changes[0],
      documentNumber: '2019-99999',
    });
    expect(anomaly.data.message).toContain('FR doc 2019-99999');
    expect(anomaly.subject).toBe(keyOf({ country: 'MALAYSIA', name: 'Nobody Sdn Bhd Ventures' }));
  });

  it('does not apply a revision of an unknown entry either, and keeps the row it would have written', () => {
    const row = loadDocument('2016-19320').changes.find((c) => c.action === 'revise')!;
    const moved = { ...row, country: 'CANADA' };
    const { next, anomalies } = applyDocument(baseline, {
      documentNumber: '2016-99999',
      isEntityListChange: true,
      ...facts,
      publicationDate: '2016-09-16',
      effectiveDate: '2016-09-16',
      changes: [moved],
    });
    expect(next.entries).toEqual(baseline.entries);
    expect(anomalies.map((a) => a.data.code)).toEqual(['EL_ENTRY_UNDER_OTHER_DESTINATION']);
    expect(anomalies[0]?.data.instruction).toEqual(moved);
    expect(anomalies[0]?.data.candidates?.map((c) => c.country)).toContain("CHINA, PEOPLE'S REPUBLIC OF");
  });

  it('applies an add of a listed entry as a revision, and reports it', () => {
    const existing = baseline.entries.find((e) => e.name === 'Bahman Ghandi')!;
    const { country, ...row } = existing;
    const readded = { ...row, addresses: [...row.addresses, 'Tehran, Iran'] };
    const { next, events, counts } = applyDocument(baseline, {
      documentNumber: '2016-99998',
      isEntityListChange: true,
      publicationDate: '2016-04-01',
      effectiveDate: '2016-04-01',
      citation: '81 FR 99999',
      changes: [{ action: 'add', country, entry: readded }],
    });
    expect(counts).toMatchObject({ added: 0, revised: 1, anomalies: 1 });
    expect(find(next, country, 'Bahman Ghandi')?.addresses).toContain('Tehran, Iran');
    const [revised] = ofType<EntryRevisedEvent>(events, 'gov.bis.entitylist.entry.revised');
    expect(revised?.data.changes.addresses.added).toEqual(['Tehran, Iran']);
    const [anomaly] = ofType<AnomalyEvent>(events, 'gov.bis.entitylist.anomaly');
    expect(anomaly?.data).toMatchObject({ code: 'EL_ADD_OF_EXISTING_ENTRY', applied: true });
  });

  it('reports a document older than the state', () => {
    const late = applyDocument(stateBefore('2019-11153'), loadDocument('2016-06777'));
    expect(late.anomalies.map((a) => a.data.code)).toContain('EL_DOCUMENT_PREDATES_STATE');
    expect(late.next.asOf).toBe(stateBefore('2019-11153').asOf);
  });
});

describe('applyDocument: determinism and identity (pure)', () => {
  it('re-applying a document yields the same events, ids included', () => {
    for (const doc of timeline) {
      const prior = stateBefore(doc.documentNumber);
      const first = applyDocument(prior, doc);
      const again = applyDocument(structuredClone(prior), structuredClone(doc));
      expect(again.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
      expect(again).toEqual(first);
    }
  });

  it('gives every change of the timeline its own id', () => {
    const { events } = applyDocuments(baseline, timeline);
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    for (const e of events) expect(e.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives the same change in another document another id', () => {
    const doc = loadDocument('2016-06777');
    const a = applyDocument(baseline, doc).events[0]!;
    const b = applyDocument(baseline, { ...doc, documentNumber: '2016-06778' }).events[0]!;
    expect(a.type).toBe('gov.bis.entitylist.entry.added');
    expect(b.id).not.toBe(a.id);
  });

  it('does not modify its inputs', () => {
    const prior = deepFreeze(structuredClone(stateBefore('2016-19320')));
    const doc = deepFreeze(loadDocument('2016-19320'));
    expect(() => applyDocument(prior, doc)).not.toThrow();
  });

  it('does not depend on the order of the prior entries', () => {
    const prior = stateBefore('2017-13348');
    const shuffled: Snapshot = { asOf: prior.asOf, entries: [...prior.entries].reverse() };
    expect(applyDocument(shuffled, loadDocument('2017-13348'))).toEqual(
      applyDocument(prior, loadDocument('2017-13348')),
    );
  });

  it('times events by the effective date, which can precede publication (2018-04652)', () => {
    const doc = loadDocument('2018-04652');
    expect(doc.effectiveDate < doc.publicationDate).toBe(true);
    const { next, events } = applyDocument(stateBefore('2018-04652'), doc);
    for (const e of events) expect(e.time).toBe('2018-02-25T00:00:00Z');
    expect(next.asOf).toBe('2018-02-28');
  });

  it('closes each document with one rule.published event that counts its changes', () => {
    const { events } = applyDocument(stateBefore('2020-12437'), loadDocument('2020-12437'));
    const published = ofType<RulePublishedEvent>(events, 'gov.bis.entitylist.rule.published');
    expect(published).toHaveLength(1);
    expect(events[events.length - 1]).toBe(published[0]);
    expect(published[0]?.subject).toBe('2020-12437');
    expect(published[0]?.data).toMatchObject({
      documentNumber: '2020-12437',
      citation: '85 FR 37648',
      isEntityListChange: true,
      counts: { added: 19, revised: 2, removed: 1, corrected: 0, anomalies: 0 },
      asOf: '2020-06-05',
    });
  });

  it('publishes a negative document with no entry events (2021-05351, OFAC)', () => {
    const prior = stateBefore('2021-05351');
    const { next, events } = applyDocument(prior, loadDocument('2021-05351'));
    expect(events.map((e) => e.type)).toEqual(['gov.bis.entitylist.rule.published']);
    expect(next.entries).toEqual(prior.entries);
    expect((events[0] as RulePublishedEvent).data.isEntityListChange).toBe(false);
  });
});

describe('applyDocument: names listed twice, and editorial rows (pure)', () => {
  const wong = (addresses: string[], citation: string): ListedEntry => ({
    country: "CHINA, PEOPLE'S REPUBLIC OF",
    name: 'Wong Yung Fai',
    aliases: ['Tonny Wong'],
    addresses,
    licenseRequirement: 'For all items subject to the EAR. (See § 744.11 of the EAR)',
    licenseReviewPolicy: 'Presumption of denial',
    federalRegisterCitations: [citation],
  });
  const hongKong = wong(['Unit 27B, Block 8, Monte Vista, Ma On Shan, Hong Kong'], '75 FR 1701, 1/13/10');
  const shenzhen = wong(['Unit 12B, Block 11, East Pacific Garden, Shenzhen, China'], '75 FR 1702, 1/13/10');
  const prior: Snapshot = { asOf: '2026-07-23', entries: [hongKong, shenzhen] };
  const doc = (changes: DocumentChanges['changes']): DocumentChanges => ({
    documentNumber: '2026-99999',
    isEntityListChange: true,
    publicationDate: '2026-08-24',
    effectiveDate: '2026-08-21',
    citation: '91 FR 54659',
    changes,
  });

  it('keeps both listings, and says so once, not as an anomaly', () => {
    const { next, events, shared } = applyDocument(prior, doc([]));
    expect(next.entries).toHaveLength(2);
    expect(events.map((e) => e.type)).toEqual(['gov.bis.entitylist.rule.published']);
    expect(shared.map((g) => g.listings.length)).toEqual([2]);
  });

  it('removes neither when the instruction cannot tell which it means', () => {
    const { next, anomalies } = applyDocument(
      prior,
      doc([{ action: 'remove', country: 'China', entry: { name: 'Wong Yung Fai' } }]),
    );
    expect(next.entries).toHaveLength(2);
    expect(anomalies.map((a) => a.data.code)).toEqual(['EL_AMBIGUOUS_ENTRY']);
    expect(anomalies[0]!.data.candidates).toHaveLength(2);
  });

  it('removes the one whose cell the instruction begins, and keeps the other', () => {
    const { next, events } = applyDocument(
      prior,
      doc([{ action: 'remove', country: 'China', entry: { name: 'Wong Yung Fai, Unit 12B, Block 11' } }]),
    );
    expect(next.entries).toEqual([hongKong]);
    const removed = ofType<EntryRemovedEvent>(events, 'gov.bis.entitylist.entry.removed');
    expect(removed.map((e) => e.data.before)).toEqual([shenzhen]);
    expect(removed[0]!.data.match).toMatchObject({ method: 'cell-text' });
  });

  it('revises the one whose addresses the row keeps, under its own key', () => {
    const row = { ...shenzhen, addresses: [...shenzhen.addresses, 'Room 5, Futian, Shenzhen, China'] };
    const { country: _c, ...entry } = {
      ...row,
      federalRegisterCitations: [...row.federalRegisterCitations, '91 FR 54659, 8/24/26'],
    };
    const { next, events } = applyDocument(prior, doc([{ action: 'revise', country: 'China', entry }]));
    const revised = ofType<EntryRevisedEvent>(events, 'gov.bis.entitylist.entry.revised');
    expect(revised).toHaveLength(1);
    expect(revised[0]!.data.before).toEqual(shenzhen);
    expect(revised[0]!.data.match).toMatchObject({ method: 'row' });
    expect(next.entries).toHaveLength(2);
    expect(next.entries).toContainEqual(hongKong);
    expect(revised[0]!.subject).not.toBe(keyOf(hongKong));
  });

  it('reports a row that reprints an entry with the same words as editorial, not revised', () => {
    const { country: _c, ...entry } = {
      ...hongKong,
      name: 'WONG YUNG FAI',
      addresses: ['Unit 27B, Block 8, Monte Vista, Ma On Shan,\nHong Kong.'],
    };
    const state: Snapshot = { asOf: '2026-07-23', entries: [hongKong] };
    const { next, events, counts } = applyDocument(
      state,
      doc([{ action: 'revise', country: 'China', entry }]),
    );
    expect(events.map((e) => e.type)).toEqual([
      'gov.bis.entitylist.entry.editorial',
      'gov.bis.entitylist.rule.published',
    ]);
    expect(counts.revised).toBe(0);
    expect(next.entries[0]!.name).toBe('WONG YUNG FAI');
    expect(events[0]!.subject).toBe(keyOf(hongKong));
  });
});
