import { describe, expect, it } from 'vitest';
import { nameSimilarity, resolveEntry } from '../../src/entity-list/matching.js';
import { normalizeName } from '../../src/entity-list/identity.js';
import { keyOf } from '../../src/entity-list/snapshot.js';
import type { ListedEntry } from '../../src/entity-list/types.js';
import { loadBaseline } from './corpus.js';

const baseline = loadBaseline();
const state = new Map(baseline.entries.map((e) => [keyOf(e), e]));

function entry(country: string, name: string, aliases: string[] = []): ListedEntry {
  return {
    country,
    name,
    aliases,
    addresses: [],
    licenseRequirement: 'For all items subject to the EAR.',
    licenseReviewPolicy: 'Presumption of denial.',
    federalRegisterCitations: [],
  };
}

function stateOf(...entries: ListedEntry[]): Map<string, ListedEntry> {
  return new Map(entries.map((e) => [keyOf(e), e]));
}

describe('resolveEntry against the baseline (pure)', () => {
  it('finds an entry by key, however the instruction spells it', () => {
    const r = resolveEntry(state, { country: 'China', name: 'WONG YUNG FAI' });
    expect(r.kind).toBe('found');
    if (r.kind !== 'found') return;
    expect(r.entry.name).toBe('Wong Yung Fai');
    expect(r.match).toMatchObject({ method: 'key', confidence: 1 });
  });

  it('finds an entry by one of its aliases', () => {
    const r = resolveEntry(state, { country: "CHINA, PEOPLE'S REPUBLIC OF", name: 'Tonny Wong' });
    expect(r.kind).toBe('found');
    if (r.kind !== 'found') return;
    expect(r.entry.name).toBe('Wong Yung Fai');
    expect(r.match).toMatchObject({ method: 'alias', confidence: 1, matchedText: 'Tonny Wong' });
  });

  it('finds an entry an instruction names without its parenthesised acronym, and says how sure it is', () => {
    const r = resolveEntry(state, { country: 'Canada', name: 'Enterprise Chips Hunter' });
    expect(r.kind).toBe('found');
    if (r.kind !== 'found') return;
    expect(r.entry.name).toBe('Enterprise Chips Hunter (ECH)');
    expect(r.match.method).toBe('similar-name');
    expect(r.match.confidence).toBeGreaterThanOrEqual(0.9);
    expect(r.match.confidence).toBeLessThan(1);
  });

  it('finds an entry through a misspelling', () => {
    const r = resolveEntry(state, { country: 'Russia', name: 'Systemma VP' });
    expect(r.kind).toBe('found');
    if (r.kind === 'found') expect(r.entry.name).toBe('Systema VP');
  });

  it('reports a name listed only under another destination instead of guessing', () => {
    const r = resolveEntry(state, { country: 'Iran', name: 'Wong Yung Fai' });
    if (r.kind !== 'other-destination') expect.fail(`expected other-destination, got ${r.kind}`);
    expect(r.candidates.map((c) => c.country)).toEqual(["CHINA, PEOPLE'S REPUBLIC OF", 'HONG KONG']);
    expect(r.candidates.every((c) => c.name === 'Wong Yung Fai')).toBe(true);
  });

  it('reports an unknown name as not found', () => {
    expect(resolveEntry(state, { country: 'Russia', name: 'Nonexistent Trading House Zenith' }).kind).toBe(
      'not-found',
    );
  });
});

describe('resolveEntry never guesses silently (pure)', () => {
  it('calls two entries that fit equally well ambiguous', () => {
    const s = stateOf(entry('RUSSIA', 'Alfa Trade LLC'), entry('RUSSIA', 'Alfa Trade JSC'));
    const r = resolveEntry(s, { country: 'Russia', name: 'Alfa Trade' });
    expect(r.kind).toBe('ambiguous');
    expect(r.kind !== 'found' && r.candidates.map((c) => c.name).sort()).toEqual([
      'Alfa Trade JSC',
      'Alfa Trade LLC',
    ]);
  });

  it('calls an alias two entries share ambiguous', () => {
    const s = stateOf(entry('IRAN', 'First Co', ['Blue Star']), entry('IRAN', 'Second Co', ['Blue Star']));
    expect(resolveEntry(s, { country: 'Iran', name: 'Blue Star' }).kind).toBe('ambiguous');
  });

  it('finds an entry named without its company form', () => {
    const s = stateOf(entry('FINLAND', 'Transsphere Oy'), entry('FINLAND', 'Other Trading Oy'));
    const r = resolveEntry(s, { country: 'Finland', name: 'Transsphere' });
    expect(r.kind).toBe('found');
    if (r.kind === 'found') expect(r.match).toMatchObject({ method: 'similar-name', confidence: 0.95 });
  });

  it('does not take a sibling with a different number for the entry', () => {
    const s = stateOf(
      entry("CHINA, PEOPLE'S REPUBLIC OF", 'China Academy of Engineering Physics Institute 5'),
    );
    const r = resolveEntry(s, { country: 'China', name: 'China Academy of Engineering Physics Institute 6' });
    expect(r.kind).toBe('low-confidence');
    expect(r.kind !== 'found' && r.candidates[0]?.confidence).toBeLessThan(0.9);
  });

  it('does not take a different word for the entry', () => {
    const s = stateOf(entry("CHINA, PEOPLE'S REPUBLIC OF", 'Beijing Aviation Technology Co., Ltd.'));
    const r = resolveEntry(s, { country: 'China', name: 'Beijing Aerospace Technology Co., Ltd.' });
    expect(r.kind).toBe('low-confidence');
  });

  it('finds a renamed entry by the former name its new row keeps as an alias', () => {
    const s = stateOf(entry('RUSSIA', 'Old Name Holding'));
    const r = resolveEntry(s, {
      country: 'Russia',
      name: 'New Name Holding Group',
      aliases: ['Old Name Holding'],
    });
    expect(r.kind).toBe('found');
    if (r.kind === 'found') expect(r.match.method).toBe('alias');
  });
});

describe('nameSimilarity (pure)', () => {
  const sim = (a: string, b: string) => nameSimilarity(normalizeName(a), normalizeName(b));

  it('is 1 for equal names and symmetric', () => {
    expect(sim('Systema VP', 'SYSTEMA VP')).toBe(1);
    expect(sim('Dmitry Lukhanin', 'Dmitriy V Lukhanin')).toBe(sim('Dmitriy V Lukhanin', 'Dmitry Lukhanin'));
  });

  it('scores word-order changes high and unrelated names low', () => {
    expect(sim('Lukhanin Dmitriy', 'Dmitriy Lukhanin')).toBeGreaterThanOrEqual(0.9);
    expect(sim('Systema VP', 'Surgutneftegas')).toBeLessThan(0.6);
  });
});
