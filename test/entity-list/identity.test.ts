import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  coreName,
  entryKey,
  keyDestination,
  normalizeCountry,
  normalizeName,
} from '../../src/entity-list/identity.js';
import { EntryIndex, listingKeys } from '../../src/entity-list/listings.js';
import { keyOf } from '../../src/entity-list/snapshot.js';
import type { ListedEntry } from '../../src/entity-list/types.js';
import { loadBaseline, loadFinal } from './corpus.js';

describe('normalizeName (pure)', () => {
  it.each([
    ['Co., Ltd.', 'Zhejiang Dahua Technology Co., Ltd.', 'Zhejiang Dahua Technology Company Limited'],
    ['Co. Ltd without commas', 'Fortune Source Electronics Co. Ltd.', 'Fortune Source Electronics Co Ltd'],
    ['curly vs straight apostrophe', 'Xi’an Research Institute', "Xi'an Research Institute"],
    ['apostrophe dropped', "People's Liberation Army", 'Peoples Liberation Army'],
    ['en dash vs hyphen', 'Abris–KEY', 'Abris-KEY'],
    ['case and doubled spaces', 'SYSTEMA   VP', 'Systema VP'],
    ['dotted initials', 'Dmitriy V. Lukhanin', 'Dmitriy V Lukhanin'],
    ['dotted abbreviation', 'Foo S.A.', 'Foo SA'],
    ['LLC spellings', 'SGM-Most, L.L.C.', 'SGM Most Limited Liability Company'],
    ['joint stock company', 'Joint Stock Company Obukhov Plant', 'JSC Obukhov Plant'],
    ['ampersand', 'Smith & Sons', 'Smith and Sons'],
    ['accents', 'Société Générale', 'Societe Generale'],
    ['full-width (NFKC)', 'ＡＢＣ Trading', 'ABC Trading'],
  ])('treats %s as the same name', (_what, a, b) => {
    expect(normalizeName(a)).toBe(normalizeName(b));
  });

  it.each([
    ['different words', 'Beijing Aviation Technology', 'Beijing Aerospace Technology'],
    ['different numbers', 'Research Institute 5', 'Research Institute 6'],
    ['different initials', 'Dmitriy V Lukhanin', 'Dmitriy A Lukhanin'],
  ])('keeps %s apart', (_what, a, b) => {
    expect(normalizeName(a)).not.toBe(normalizeName(b));
  });

  it('drops parenthesised acronyms only in coreName', () => {
    expect(normalizeName('Enterprise Chips Hunter (ECH)')).toBe('enterprise chips hunter ech');
    expect(coreName('Enterprise Chips Hunter (ECH)')).toBe(normalizeName('Enterprise Chips Hunter'));
  });

  it('is idempotent on any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const once = normalizeName(s);
        expect(normalizeName(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent on every name and alias of the corpus', () => {
    for (const e of [...loadBaseline().entries, ...loadFinal().entries]) {
      for (const text of [e.name, ...e.aliases])
        expect(normalizeName(normalizeName(text))).toBe(normalizeName(text));
    }
  });

  it('is insensitive to whitespace, quote, dash, case and company-form variants', () => {
    const word = fc.constantFrom(
      'Beijing',
      'Xi',
      'Aero',
      'Nevskiy',
      'People',
      'Tech',
      'Systema',
      'VP',
      '5',
      'Zhong',
    );
    const form = fc.constantFrom<[string, string]>(
      ['Co., Ltd.', 'Company Limited'],
      ['Ltd.', 'Limited'],
      ['LLC', 'L.L.C.'],
      ['Inc.', 'Incorporated'],
      ['Corp.', 'Corporation'],
      ['', ''],
    );
    const space = fc.constantFrom(' ', '  ', '\t', '\u00A0', ' \n ');
    const apostrophe = fc.constantFrom("'", '\u2019', '\u2018', '`');
    const dash = fc.constantFrom('-', '\u2013', '\u2014', '\u2010', '\u2212');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(word, fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 5 }),
        form,
        space,
        apostrophe,
        dash,
        fc.boolean(),
        (words, [formA, formB], sp, ap, da, upper) => {
          // Words joined by a space, a hyphen, or carrying a possessive, written two ways.
          const render = (s: string, a: string, d: string, f: string) =>
            words
              .map(
                ([w, hyphen, possessive], i) =>
                  `${i > 0 ? (hyphen ? d : s) : ''}${w}${possessive ? `${a}s` : ''}`,
              )
              .join('') + (f ? `${s}${f}` : '');
          const plain = render(' ', "'", '-', formA);
          const variant = render(sp, ap, da, formB);
          expect(normalizeName(upper ? variant.toUpperCase() : variant)).toBe(normalizeName(plain));
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('normalizeCountry and entryKey (pure)', () => {
  it.each([
    ['China', "CHINA, PEOPLE'S REPUBLIC OF"],
    ["China, People's Republic of", "CHINA, PEOPLE'S REPUBLIC OF"],
    ['CHINA, PEOPLE’S REPUBLIC OF', "CHINA, PEOPLE'S REPUBLIC OF"],
    ['the United Arab Emirates', 'UNITED ARAB EMIRATES'],
    ['Russia', 'RUSSIA'],
    ['Hong Kong', 'HONG KONG'],
  ])('%s is listed as %s', (given, listed) => {
    expect(normalizeCountry(given)).toBe(normalizeCountry(listed));
  });

  it('keeps Hong Kong apart from China', () => {
    expect(normalizeCountry('Hong Kong')).not.toBe(normalizeCountry('China'));
  });

  it('is idempotent', () => {
    const spelled = fc.constantFrom(
      'China',
      'the United Arab Emirates',
      'U.A.E.',
      'Korea, South',
      'Russia',
      'Türkiye',
    );
    fc.assert(
      fc.property(fc.oneof(spelled, fc.string({ unit: 'binary', maxLength: 40 })), (s) => {
        const once = normalizeCountry(s);
        expect(normalizeCountry(once)).toBe(once);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives every entry of the corpus a distinct key, under its own destination', () => {
    for (const snapshot of [loadBaseline(), loadFinal()]) {
      const keys = snapshot.entries.map(keyOf);
      expect(new Set(keys).size).toBe(keys.length);
      for (const [i, e] of snapshot.entries.entries()) {
        expect(keyDestination(keys[i]!)).toBe(normalizeCountry(e.country));
      }
    }
  });

  it('keys an instruction’s spelling to the listed entry', () => {
    expect(entryKey('China', 'Wong Yung Fai')).toBe(
      entryKey("CHINA, PEOPLE'S REPUBLIC OF", 'WONG  YUNG FAI'),
    );
    expect(entryKey('Canada', 'Wong Yung Fai')).not.toBe(entryKey('China', 'Wong Yung Fai'));
  });
});

describe('listing keys: one key per listing, names listed twice included (pure)', () => {
  const listing = (name: string, address: string, citation: string): ListedEntry => ({
    country: 'UNITED ARAB EMIRATES',
    name,
    aliases: [],
    addresses: [address],
    licenseRequirement: 'For all items subject to the EAR.',
    licenseReviewPolicy: 'Presumption of denial',
    federalRegisterCitations: [citation],
  });
  const first = listing('Zurmat General Trading', 'Office No. 205, Al-Qusais, Dubai', '77 FR 25055, 4/27/12');
  const second = listing(
    'Zurmat General Trading',
    'Office No. 205, Al-Qusais, Dubai',
    '77 FR 25057, 4/27/12',
  );
  const third = listing(
    'ZURMAT GENERAL TRADING.',
    '1st Street, Industrial Area 4, Sharjah',
    '80 FR 1, 1/2/15',
  );

  it('gives the senior listing (oldest first citation) the entry key, the others a suffix', () => {
    const { keys, shared } = listingKeys([second, third, first]);
    const key = entryKey('UNITED ARAB EMIRATES', 'Zurmat General Trading');
    expect(keys[2]).toBe(key);
    expect(keys[0]).toMatch(new RegExp(`^${key.replace(/[|]/g, '\\|')}#[0-9a-f]{8}$`));
    expect(new Set(keys).size).toBe(3);
    expect(shared).toHaveLength(1);
    expect(shared[0]!.listings.map((l) => l.entry)).toHaveLength(3);
  });

  it('does not depend on the order of the list', () => {
    const a = listingKeys([first, second, third]);
    const b = listingKeys([third, second, first]);
    expect([...a.keys].sort()).toEqual([...b.keys].sort());
    expect(a.keys[0]).toBe(b.keys[2]);
  });

  it('keeps the keys of listings already there when another listing of the name comes or goes', () => {
    const before = listingKeys([first, second]).keys;
    const after = listingKeys([first, second, third]).keys;
    expect(after.slice(0, 2)).toEqual(before);
    expect(listingKeys([first, third]).keys[0]).toBe(before[0]);
  });

  it('an index kept by adding, removing and replacing listings agrees with the keys of its list', () => {
    const index = new EntryIndex([first, second]);
    index.add(third);
    const revised = { ...second, addresses: [...second.addresses, 'P.O. Box 171452, Dubai'] };
    const secondKey = [...index.entries()].find(([, e]) => e === second)![0];
    index.replace(secondKey, revised);
    const firstKey = [...index.entries()].find(([, e]) => e === first)![0];
    index.remove(firstKey);
    const values = [...index.values()];
    expect(values).toEqual(expect.arrayContaining([third, revised]));
    expect(values).toHaveLength(2);
    const { keys } = listingKeys(values);
    expect([...index.entries()].map(([k]) => k).sort()).toEqual([...keys].sort());
    expect(index.listings(entryKey('UNITED ARAB EMIRATES', 'Zurmat General Trading'))).toHaveLength(2);
  });
});
