import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderRealLayout, reserialize } from '../../scripts/holdout/real-layout.mjs';
import { extractFromXml } from '../../src/entity-list/extract.js';
import type { DocumentExtraction, EntryChange } from '../../src/entity-list/types.js';
import { corpusDocuments } from '../support/fixtures.js';
import { buildRule, type BuiltRow } from '../support/rule-builder.js';

/**
 * Real Entity List rules as the Federal Register prints them (FR Doc. 2023-03929, in
 * test/fixtures/real/fr/) and the constructed corpus rendered in that layout: the header row in
 * the table body, star rows and cells, I="22" entry rows, address continuation rows, italic "and",
 * page marks in instructions and rows, the placeholder citation — pretty-printed as the FR
 * endpoint serves it and compact as GPO's daily issues print it.
 */
const REAL = new URL('../fixtures/real/fr/', import.meta.url);

const only = (xml: string | Buffer): DocumentExtraction => {
  const docs = extractFromXml(xml);
  expect(docs).toHaveLength(1);
  return docs[0]!;
};
/** The contract's fields (and seeAlso), without extraction's extras. */
const contract = (c: EntryChange): unknown => JSON.parse(JSON.stringify(c)) as unknown;

describe('FR Doc. 2023-03929 (88 FR 12170), the real rule as federalregister.gov serves it', () => {
  const xml = readFileSync(new URL('2023-03929.xml', REAL), 'utf8');
  const expected = JSON.parse(readFileSync(new URL('2023-03929.expected.json', REAL), 'utf8')) as {
    changes: EntryChange[];
  };

  it('gives exactly its hand-written expected extraction, with no warning', () => {
    const got = only(xml);
    expect(got.warnings).toEqual([]);
    expect(got.isEntityListChange).toBe(true);
    expect(got.changes.map(contract)).toEqual(expected.changes);
  });

  it('resolves the placeholder citation to the page the amendment is printed on, not the first page', () => {
    const got = only(xml);
    expect(got.document).toMatchObject({ citation: '88 FR 12170', effectiveDate: '2023-02-24' });
    expect(
      new Set(
        got.changes.flatMap(
          (c) => (c.entry as { federalRegisterCitations: string[] }).federalRegisterCitations,
        ),
      ),
    ).toEqual(new Set(['88 FR 12171, 2/27/23']));
  });

  it('keeps ordinals in addresses, reads cross-references as seeAlso, and joins continuation rows', () => {
    const head = only(xml).changes.find(
      (c) =>
        c.country === "CHINA, PEOPLE'S REPUBLIC OF" && c.entry.name === 'China HEAD Aerospace Technology Co.',
    )!;
    expect(head.entry).toMatchObject({
      seeAlso: ['FRANCE', 'NETHERLANDS'],
      addresses: [
        '5F, Bldg 5, Science and Technology Park, A-2 North Xisanhuan Road, Haidian District, Beijing 100081, P.R. China',
        'Room 01, floor 13, building 5, no. A2 courtyard, west 3rd ring r. Beijing, 10004-8, China',
        'B-11a-02 Keshi Plaza 28 Shangdi Xinxi Rd Beijing 100058 China',
      ],
    });
  });

  it('reads a table in the Supplement No. 4 run whose heads are printed nowhere (blank CHEDs, no header row)', () => {
    const compact = reserialize(xml, 'compact');
    const headless = compact.replace(/<ROW RUL="s[^"]*"><ENT I="25">Country<\/ENT>.*?<\/ROW>/, '');
    expect(headless).not.toContain('>Country<');
    expect(only(headless).changes).toEqual(only(xml).changes);
  });

  it('reads the same when re-serialised compact, as a GPO daily issue runs text and markup together', () => {
    const compact = reserialize(xml, 'compact');
    expect(compact).not.toContain('\n                ');
    expect(only(compact).changes).toEqual(only(xml).changes);
  });
});

describe('the constructed dev corpus rendered in the real layout', () => {
  for (const doc of corpusDocuments()) {
    const xml = readFileSync(doc.xmlPath, 'utf8');
    const base = only(xml);
    for (const pretty of [true, false]) {
      it(`${doc.number}, ${pretty ? 'pretty-printed' : 'compact'}: exactly the extraction of the original`, () => {
        const rendered = renderRealLayout(xml, {
          pretty,
          citation: doc.api.citation as string,
          publicationDate: doc.publicationDate,
          variant: doc.number.length + (pretty ? 1 : 0),
        });
        // The rendition is the real layout, not the original reprinted.
        if (/<GPOTABLE/.test(xml)) {
          expect(rendered).toMatch(/<CHED H="1"> <\/CHED>/);
          expect(rendered).toContain('<ENT I="25">Country</ENT>');
        }
        const got = only(rendered);
        expect(got.warnings).toEqual(base.warnings);
        expect(got.isEntityListChange).toBe(doc.expected.isEntityListChange);
        expect(got.changes).toEqual(base.changes);
      });
    }
  }
});

/** Words, names and addresses as rules print them, with the punctuation that trips readers. */
const word = fc.stringMatching(/^[A-Z][a-z]{1,9}$/);
const name = fc
  .tuple(
    fc.array(word, { minLength: 1, maxLength: 4 }),
    fc.constantFrom('', ' Co., Ltd.', ' LLC', ' GmbH', ' JSC'),
  )
  .map(([ws, form]) => `${ws.join(' ')}${form}`);
const address = fc
  .tuple(
    fc.integer({ min: 1, max: 999 }),
    word,
    word,
    fc.constantFrom('', '3<SU>rd</SU> Floor, ', 'Room 5, '),
  )
  .map(([n, street, city, extra]) => `${extra}${n} ${street} Road, ${city}`);
const entry = fc.record({
  name,
  aliases: fc.array(name, { maxLength: 3 }),
  addresses: fc.array(address, { minLength: 1, maxLength: 3 }),
  footnote: fc.boolean(),
});

function entityCell(e: { name: string; aliases: string[]; addresses: string[]; footnote: boolean }): string {
  const mark = e.footnote ? '<SU>1</SU>' : '';
  const addresses = `${e.addresses
    .slice(0, -1)
    .map((a) => `${a}; `)
    .join('')}${e.addresses.length > 1 ? 'and ' : ''}${e.addresses.at(-1)!}.`;
  if (e.aliases.length === 0) return `${e.name}${mark}, ${addresses}`;
  const items = e.aliases.map(
    (a, i) => `<LI>—${a}${i < e.aliases.length - 2 ? ';' : i === e.aliases.length - 2 ? '; and' : '.'}</LI>`,
  );
  return `${e.name}${mark}, a.k.a., the following ${e.aliases.length} alias${e.aliases.length > 1 ? 'es' : ''}:${items.join('')}<LI>${addresses}</LI>`;
}

describe('property: the pretty-printed and compact renditions of any document read the same', () => {
  it('holds for generated rules in the real layout', () => {
    fc.assert(
      fc.property(
        fc.array(entry, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('GERMANY', 'RUSSIA', "CHINA, PEOPLE'S REPUBLIC OF"),
        fc.nat(7),
        (entries, country, variant) => {
          const rows: BuiltRow[] = entries.map((e, i) => ({
            ...(i === 0 ? { country } : {}),
            entity: entityCell(e),
            citation: '90 FR 1001, 1/6/25.',
          }));
          const quoted = entries.map((e) => `“${e.name}”`).join('; ');
          const xml = buildRule({
            regtexts: [
              {
                amdpars: [
                  `2. Supplement No. 4 to part 744 is amended by adding under ${country}, in alphabetical order, entries for ${quoted}:`,
                ],
                rows,
                tnotes: ['<SU>1</SU> For this entity, see § 734.9(e).'],
              },
            ],
          });
          const options = { citation: '90 FR 1001', publicationDate: '2025-01-06', variant };
          const pretty = only(renderRealLayout(xml, { ...options, pretty: true }));
          const compact = only(renderRealLayout(xml, { ...options, pretty: false }));
          expect(pretty.changes).toEqual(compact.changes);
          expect(pretty.warnings).toEqual(compact.warnings);
          // The original (the builder's compact GPO layout), re-printed pretty, reads as itself.
          expect(only(reserialize(xml, 'pretty')).changes).toEqual(only(xml).changes);
        },
      ),
      { numRuns: 60, seed: 20231 },
    );
  });
});
