/**
 * The real before and after: the Entity List as eCFR served it on 2026-07-23 (the list just before
 * the rules) and the two real rules of 24 Aug 2026, applied at the apply level with their expected
 * extraction as the changes. Exactly the Turkish entry goes, Arrow Electronics (Hong Kong) keeps
 * exactly the rule's five addresses and gains the rule's citation, nothing else changes, and no
 * listing of the real list is lost, although it names some parties twice under one destination.
 */
import { describe, expect, it } from 'vitest';
import { applyDocuments } from '../../src/entity-list/apply.js';
import { diffSnapshots } from '../../src/entity-list/diff.js';
import { listingKeys } from '../../src/entity-list/listings.js';
import type { ListedEntry } from '../../src/entity-list/types.js';
import type { EntryRemovedEvent, EntryRevisedEvent } from '../../src/events/types.js';
import { validateEvent } from '../../src/events/validate.js';
import { realList, realRules } from './real-list.js';

const CHINA = "CHINA, PEOPLE'S REPUBLIC OF";
const ARROW = 'Arrow Electronics (Hong Kong) Co., Ltd.';
const ATEMPO = 'Atempo Proje Taahhüt Ses ve Görüntü Sistemleri Anonim Şirketi İstanbul Şubesi';

describe('the real 2026-07-23 list and the rules of 24 Aug 2026 (pure)', () => {
  const prior = realList('2026-07-23');
  const [removal, revision] = realRules();
  const { next, events, anomalies } = applyDocuments(prior, [removal!, revision!]);
  const entryEvents = events.filter((e) => e.type.startsWith('gov.bis.entitylist.entry.'));

  it('reads the real list with every listing under a key of its own', () => {
    expect(prior.entries.length).toBeGreaterThanOrEqual(3411);
    const { keys, shared } = listingKeys(prior.entries);
    expect(new Set(keys).size).toBe(prior.entries.length);
    const named = (name: string, country: string): number =>
      prior.entries.filter((e) => e.name.replace(/\.$/, '') === name && e.country === country).length;
    // Parties the real list names twice under one destination: both listings kept, and said.
    expect(named('Zurmat General Trading', 'UNITED ARAB EMIRATES')).toBe(2);
    expect(named('Wong Yung Fai', CHINA)).toBe(2);
    expect(named('Allied Trading Co', 'PAKISTAN')).toBe(2);
    const sharedNames = shared.map((g) => g.listings[0]!.entry.name.replace(/\.$/, ''));
    expect(sharedNames).toEqual(
      expect.arrayContaining(['Zurmat General Trading', 'Wong Yung Fai', 'Allied Trading Co']),
    );
  });

  it('drops no listing: exactly one entry leaves', () => {
    expect(next.entries.length).toBe(prior.entries.length - 1);
    const { keys } = listingKeys(next.entries);
    expect(new Set(keys).size).toBe(next.entries.length);
  });

  it('makes one removal and one revision, and no anomaly', () => {
    expect(anomalies).toEqual([]);
    expect(entryEvents.map((e) => e.type)).toEqual([
      'gov.bis.entitylist.entry.removed',
      'gov.bis.entitylist.entry.revised',
    ]);
    for (const e of events) expect(validateEvent(e)).toEqual({ valid: true });
  });

  it('removes exactly the Turkish entry the instruction names by its name and the start of its address', () => {
    const removed = entryEvents[0] as EntryRemovedEvent;
    expect(removed.data.country).toBe('TURKEY');
    expect(removed.data.before.name).toBe(ATEMPO);
    expect(removed.data.before.addresses[0]).toMatch(/^Bülent Ecevit Bulvarı No: 141\/A/);
    expect(removed.data.match).toMatchObject({ method: 'cell-text', confidence: 0.98 });
    expect(next.entries.some((e) => e.country === 'TURKEY' && e.name === ATEMPO)).toBe(false);
  });

  it('revises Arrow to exactly the rule’s five addresses and appends 91 FR 54659, 8/24/26', () => {
    const revised = entryEvents[1] as EntryRevisedEvent;
    const arrow = next.entries.filter((e) => e.country === CHINA && e.name === ARROW);
    expect(arrow).toHaveLength(1);
    const expectedRow = revision!.changes[0]!.entry as ListedEntry;
    expect(arrow[0]!.addresses).toEqual(expectedRow.addresses);
    expect(arrow[0]!.addresses).toHaveLength(5);
    expect(arrow[0]!.federalRegisterCitations).toEqual([
      '90 FR 48193, 10/9/25',
      '90 FR 50859, 11/12/25',
      '91 FR 54659, 8/24/26',
    ]);
    expect(revised.data.changes.addresses.removed).toHaveLength(2);
    expect(revised.data.changes.federalRegisterCitations.added).toEqual(['91 FR 54659, 8/24/26']);
    expect(revised.data.match).toMatchObject({ method: 'key', confidence: 1 });
  });

  it('changes no other entry', () => {
    const diff = diffSnapshots(prior, next);
    expect(diff.counts).toEqual({ added: 0, removed: 1, revised: 1, editorial: 0 });
    expect(diff.changes.map((c) => [c.kind, c.kind === 'removed' ? c.before.name : c.key])).toEqual(
      expect.arrayContaining([
        ['removed', ATEMPO],
        ['revised', `${CHINA}|arrow electronics hong kong co ltd`],
      ]),
    );
    // Field by field, beyond the diff's own pairing: every other listing is still there, unchanged.
    const rest = new Set(next.entries.map((e) => JSON.stringify(e)));
    const untouched = prior.entries.filter((e) => e.name !== ATEMPO && e.name !== ARROW);
    expect(untouched.filter((e) => !rest.has(JSON.stringify(e)))).toEqual([]);
  });

  it('applies the same way whatever the order of the list', () => {
    const reversed = applyDocuments({ ...prior, entries: [...prior.entries].reverse() }, [
      removal!,
      revision!,
    ]);
    expect(reversed.next).toEqual(next);
    expect(reversed.events.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });
});
