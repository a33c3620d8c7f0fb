/**
 * Naming an entry the way BIS writes it, against the real list (eCFR 2026-07-23): by the start of its
 * cell (name, then address), and never two entries for one name.
 */
import { describe, expect, it } from 'vitest';
import { EntryIndex } from '../../src/entity-list/listings.js';
import { resolveEntry } from '../../src/entity-list/matching.js';
import type { ListedEntry } from '../../src/entity-list/types.js';
import { realList } from './real-list.js';

const list = realList('2026-07-23');
const state = new EntryIndex(list.entries);
const CHINA = "CHINA, PEOPLE'S REPUBLIC OF";

describe('resolveEntry against the real list (pure)', () => {
  it('finds the entry whose cell text an instruction begins: its name, then the start of its address', () => {
    const r = resolveEntry(state, {
      country: 'TURKEY',
      name: 'Atempo Proje Taahhüt Ses ve Görüntü Sistemleri Anonim Şirketi İstanbul Şubesi, Bülent Ecevit Bulvarı',
    });
    if (r.kind !== 'found') expect.fail(`expected found, got ${r.kind}`);
    expect(r.entry.name).toBe(
      'Atempo Proje Taahhüt Ses ve Görüntü Sistemleri Anonim Şirketi İstanbul Şubesi',
    );
    expect(r.match).toMatchObject({ method: 'cell-text', confidence: 0.98 });
    expect(r.match.matchedText).toMatch(/İstanbul Şubesi, Bülent Ecevit Bulvarı No: 141\/A/);
  });

  it('takes the cell text only where the cell goes on with the instruction’s words', () => {
    const r = resolveEntry(state, {
      country: 'TURKEY',
      name: 'Atempo Proje Taahhüt Ses ve Görüntü Sistemleri Anonim Şirketi İstanbul Şubesi, Esentepe Mah.',
    });
    // "Esentepe Mah." is its third address, not the start of its first: only a close name, less sure.
    expect(r.kind === 'found' ? r.match.method : r.kind).not.toBe('cell-text');
    if (r.kind === 'found') expect(r.match.confidence).toBeLessThan(0.98);
  });

  it('never matches two: a name listed twice with no row to tell them apart is ambiguous', () => {
    const r = resolveEntry(state, { country: 'China', name: 'Wong Yung Fai' });
    if (r.kind !== 'ambiguous') expect.fail(`expected ambiguous, got ${r.kind}`);
    expect(r.candidates.map((c) => c.name)).toEqual(['Wong Yung Fai', 'Wong Yung Fai']);
    expect(new Set(r.candidates.map((c) => c.key)).size).toBe(2);
  });

  it('tells two listings of one name apart by the address the instruction gives', () => {
    const second = list.entries.filter((e) => e.country === CHINA && e.name === 'Wong Yung Fai')[1]!;
    const r = resolveEntry(state, {
      country: 'China',
      name: `Wong Yung Fai, ${second.addresses[0]!.split(',').slice(0, 2).join(',')}`,
    });
    if (r.kind !== 'found') expect.fail(`expected found, got ${r.kind}`);
    expect(r.entry).toEqual(second);
    expect(r.match.method).toBe('cell-text');
  });

  it('tells two listings of one name apart by the addresses of the revised row', () => {
    const [first] = list.entries.filter((e) => e.country === CHINA && e.name === 'Wong Yung Fai');
    const r = resolveEntry(state, {
      country: 'China',
      name: 'Wong Yung Fai',
      addresses: [...first!.addresses.slice(0, -1), 'A new address, Hong Kong'],
    });
    if (r.kind !== 'found') expect.fail(`expected found, got ${r.kind}`);
    expect(r.entry).toEqual(first);
    expect(r.match.method).toBe('row');
    expect(r.match.confidence).toBeGreaterThan(0.9);
    expect(r.match.confidence).toBeLessThan(1);
  });

  it('calls a cell start two listings share ambiguous (Zurmat General Trading, twice under the UAE)', () => {
    const r = resolveEntry(state, {
      country: 'United Arab Emirates',
      name: 'Zurmat General Trading, Office No. 205, Platinum Business Center',
    });
    if (r.kind !== 'ambiguous') expect.fail(`expected ambiguous, got ${r.kind}`);
    expect(r.candidates).toHaveLength(2);
  });
});

describe('resolveEntry where a reader ran a name into its address (pure)', () => {
  const runOn: ListedEntry = {
    country: 'TURKEY',
    name: 'Huseyin Engin Borluca, Biniciler Apt. Savas Cad. No. 18/5',
    aliases: [],
    addresses: ['Sirinyali Mah. 07160, Antalya, Turkey'],
    licenseRequirement: 'For all items subject to the EAR.',
    licenseReviewPolicy: 'Presumption of denial.',
    federalRegisterCitations: ['83 FR 44824, 9/4/18'],
  };
  const other = { ...runOn, name: 'Huseyin Engin Borlucan Trading' };

  it('finds the entry by the part of its name up to a comma, a little less sure', () => {
    const r = resolveEntry(new EntryIndex([runOn, other]), {
      country: 'Turkey',
      name: 'Huseyin Engin Borluca',
    });
    if (r.kind !== 'found') expect.fail(`expected found, got ${r.kind}`);
    expect(r.entry).toEqual(runOn);
    expect(r.match).toMatchObject({
      method: 'cell-text',
      confidence: 0.9,
      matchedText: 'Huseyin Engin Borluca',
    });
  });

  it('does not take a name that only begins another name for it', () => {
    const r = resolveEntry(new EntryIndex([other]), { country: 'Turkey', name: 'Huseyin Engin' });
    expect(r.kind).not.toBe('found');
  });
});
