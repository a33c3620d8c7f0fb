import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reserialize } from '../../scripts/holdout/real-layout.mjs';
import { extractFromXml } from '../../src/entity-list/extract.js';
import { readProvisionalChanges } from '../../src/entity-list/provisional.js';
import type { EntryChange } from '../../src/entity-list/types.js';

/**
 * The two real Entity List rules of 24 Aug 2026 (test/fixtures/real/fr-text): their text as
 * federalregister.gov's HTML flattens it, read as it is by the public-inspection reader, and the
 * same words in the real FR XML layout (render-xml.py), read by the extractor in both renditions.
 */
const DIR = new URL('../fixtures/real/fr-text/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, DIR), 'utf8');

describe.each(['2026-17231', '2026-17230'])('FR Doc. %s', (number) => {
  const expected = JSON.parse(read(`expected/${number}.json`)) as { changes: EntryChange[] };
  const xml = read(`${number}.xml`);

  it.each([
    ['compact', xml],
    ['pretty-printed', reserialize(xml, 'pretty')],
  ])('in the real XML layout (%s) gives exactly its expected extraction', (_style, doc) => {
    const [got, ...more] = extractFromXml(doc);
    expect(more).toEqual([]);
    expect(got!.documentNumber).toBe(number);
    expect(got!.warnings).toEqual([]);
    expect(got!.isEntityListChange).toBe(true);
    expect(JSON.parse(JSON.stringify(got!.changes))).toEqual(expected.changes);
  });

  it('read from its text as it is, announces exactly the changes the rule makes', () => {
    expect(readProvisionalChanges(read(`${number}.txt`))).toEqual({
      changes: expected.changes.map((c) => ({ action: c.action, country: c.country, name: c.entry.name })),
      unnamed: [],
    });
  });
});

describe('the canonical citation', () => {
  it('writes "90 FR 50859 11/12/25." with its comma and fills in "[INSERT FR PAGE NUMBER] AND August 24, 2026"', () => {
    const [got] = extractFromXml(read('2026-17231.xml'));
    expect(
      (got!.changes[0]!.entry as { federalRegisterCitations: string[] }).federalRegisterCitations,
    ).toEqual(['90 FR 48193, 10/9/25', '90 FR 50859, 11/12/25', '91 FR 54659, 8/24/26']);
  });
});

describe.each(['2026-14132', '2026-14942'])(
  'negative control %s (a BIS rule of July 2026, not an Entity List change)',
  (number) => {
    it('announces nothing from its text', () => {
      expect(readProvisionalChanges(read(`negatives/${number}.txt`))).toEqual({ changes: [], unnamed: [] });
    });
  },
);
