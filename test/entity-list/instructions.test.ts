import { describe, expect, it } from 'vitest';
import { maskQuotedNames, parseAmendatoryInstruction } from '../../src/entity-list/instructions.js';
import { numberWord, parseCount } from '../../src/entity-list/numbers.js';

/**
 * Wordings of amendatory instructions on Supplement No. 4, beyond those in the corpus: written
 * from the forms BIS has used (and the GPO user guide's AMDPAR conventions), with their variants
 * of quotes, numbers, lettering and destination names.
 */
const groups = (text: string, known: string[] = []) =>
  parseAmendatoryInstruction(text, known).groups.map((g) => {
    const out: Record<string, unknown> = { action: g.action, country: g.country, names: g.names };
    if (g.count !== undefined) out.count = g.count;
    return out;
  });

describe('parseAmendatoryInstruction', () => {
  it('reads the old single-destination addition with a spelled-out count', () => {
    const i = parseAmendatoryInstruction(
      "2. Supplement No. 4 to part 744 is amended by adding under CHINA, PEOPLE'S REPUBLIC OF, in alphabetical order, twenty-eight entities to read as follows:",
    );
    expect(i.label).toBe('2');
    expect(i.namesSupplement4).toBe(true);
    expect(i.groups).toEqual([
      {
        action: 'add',
        country: "CHINA, PEOPLE'S REPUBLIC OF",
        countryText: "CHINA, PEOPLE'S REPUBLIC OF",
        names: [],
        count: 28,
      },
    ]);
  });

  it('reads a destination written in mixed case with a comma inside it', () => {
    expect(
      groups("By adding under China, People's Republic of, in alphabetical order, nine entities;"),
    ).toEqual([{ action: 'add', country: "CHINA, PEOPLE'S REPUBLIC OF", names: [], count: 9 }]);
  });

  it('reads several actions and destinations in one sentence', () => {
    expect(
      groups(
        'Supplement No. 4 to part 744 is amended by adding under Germany, in alphabetical order, one entity; by adding under Pakistan, in alphabetical order, four entities; and by revising under the United Arab Emirates, one entity, "Foo Trading LLC", to read as follows:',
      ),
    ).toEqual([
      { action: 'add', country: 'GERMANY', names: [], count: 1 },
      { action: 'add', country: 'PAKISTAN', names: [], count: 4 },
      { action: 'revise', country: 'UNITED ARAB EMIRATES', names: ['Foo Trading LLC'], count: 1 },
    ]);
  });

  it('reads a whole lettered list in one paragraph', () => {
    expect(
      groups(
        'Amend supplement no. 4 to part 744 by: a. Adding under ARMENIA, in alphabetical order, entries for "Alpha Ltd." and "Beta, LLC"; b. Revising under CHINA, PEOPLE\'S REPUBLIC OF, the entries for "Gamma Co., Ltd." and "Delta"; and c. Removing under IRAN, the entry for "Epsilon".',
      ),
    ).toEqual([
      { action: 'add', country: 'ARMENIA', names: ['Alpha Ltd.', 'Beta, LLC'], count: 2 },
      {
        action: 'revise',
        country: "CHINA, PEOPLE'S REPUBLIC OF",
        names: ['Gamma Co., Ltd.', 'Delta'],
        count: 2,
      },
      { action: 'remove', country: 'IRAN', names: ['Epsilon'], count: 1 },
    ]);
  });

  it('reads curly quotes and names with semicolons and commas inside', () => {
    expect(
      groups(
        'By removing under Hong Kong the entries for \u201cAlpha; Beta Ltd.\u201d and \u201cGamma, Inc.\u201d.',
      ),
    ).toEqual([
      { action: 'remove', country: 'HONG KONG', names: ['Alpha; Beta Ltd.', 'Gamma, Inc.'], count: 2 },
    ]);
  });

  it('reads "the destination of" and a count after "in alphabetical order"', () => {
    expect(
      groups(
        'Amend supplement no. 4 to part 744 by adding, in alphabetical order, under the destination of Russia, entries for "X Plant" and "Y Bureau" to read as follows:',
      ),
    ).toEqual([{ action: 'add', country: 'RUSSIA', names: ['X Plant', 'Y Bureau'], count: 2 }]);
  });

  it('reads a destination named after the entry', () => {
    expect(
      groups(
        'Supplement No. 4 to part 744 is amended by revising the entry for "Foo Aviation" under Canada to read as follows:',
      ),
    ).toEqual([{ action: 'revise', country: 'CANADA', names: ['Foo Aviation'], count: 1 }]);
    expect(
      groups('by removing the entries for "A Co." under Hong Kong and "B Co." under Singapore.'),
    ).toEqual([
      { action: 'remove', country: 'HONG KONG', names: ['A Co.'], count: 1 },
      { action: 'remove', country: 'SINGAPORE', names: ['B Co.'], count: 1 },
    ]);
  });

  it('reads a count that follows the verb and precedes the destination', () => {
    expect(
      groups(
        'Supplement No. 4 to part 744 is amended by adding, in alphabetical order, two entities under Turkey',
      ),
    ).toEqual([{ action: 'add', country: 'TURKEY', names: [], count: 2 }]);
  });

  it('reads several destinations after one verb', () => {
    expect(
      groups(
        'by adding under Canada, in alphabetical order, one entity, and under the United Kingdom, in alphabetical order, two entities',
      ),
    ).toEqual([
      { action: 'add', country: 'CANADA', names: [], count: 1 },
      { action: 'add', country: 'UNITED KINGDOM', names: [], count: 2 },
    ]);
  });

  it('reads digits, parenthesised figures and adjectives in counts', () => {
    expect(
      groups('By adding under the United Kingdom, in alphabetical order, the following 12 entities')[0],
    ).toMatchObject({ count: 12 });
    expect(groups('by adding under Pakistan, in alphabetical order, three (3) entities')[0]).toMatchObject({
      count: 3,
    });
    expect(
      groups('by adding under Pakistan, in alphabetical order, four Pakistani entities')[0],
    ).toMatchObject({ count: 4 });
    expect(
      groups(
        'Amend supplement no. 4 to part 744 by adding under RUSSIA, in alphabetical order, one hundred and four entries',
      )[0],
    ).toMatchObject({
      count: 104,
    });
  });

  it('maps other spellings of destinations to the list\u2019s own', () => {
    expect(groups('Under T\u00fcrkiye, adding in alphabetical order an entry for "Ozturk Makine"')).toEqual([
      { action: 'add', country: 'TURKEY', names: ['Ozturk Makine'], count: 1 },
    ]);
    expect(
      groups('b. By adding under the Russian Federation, in alphabetical order, one entity;')[0],
    ).toMatchObject({ country: 'RUSSIA' });
    expect(
      groups('c. Under KOREA, SOUTH, adding in alphabetical order an entry for "K Co."')[0],
    ).toMatchObject({ country: 'SOUTH KOREA' });
  });

  it('reads a destination that is not in its dictionary up to the clause landmark', () => {
    expect(groups('By adding under Freedonia, in alphabetical order, one entity;')).toEqual([
      { action: 'add', country: 'FREEDONIA', names: [], count: 1 },
    ]);
  });

  it('reads both forms of correction', () => {
    const a = parseAmendatoryInstruction(
      '2. In FR Doc. 2016–19320, appearing on page 67097 in the Federal Register of Friday, September 16, 2016, Supplement No. 4 to part 744 is corrected by revising under the United Arab Emirates the entry for \u201cTGO General Trading LLC\u201d to read as follows:',
    );
    expect(a.isCorrection).toBe(true);
    expect(a.correctsDocument).toBe('2016-19320');
    expect(a.groups).toMatchObject([
      { action: 'correct', country: 'UNITED ARAB EMIRATES', names: ['TGO General Trading LLC'] },
    ]);
    const b = parseAmendatoryInstruction(
      '2. In supplement no. 4 to part 744, under PAKISTAN, the entry for "Ahmed Co.", published at 85 FR 37648 on June 5, 2020, is corrected to read as follows:',
    );
    expect(b.correctsCitation).toBe('85 FR 37648');
    expect(b.groups).toMatchObject([
      { action: 'correct', country: 'PAKISTAN', names: ['Ahmed Co.'], count: 1 },
    ]);
  });

  it('does not read quoted words being struck as entry names', () => {
    expect(
      groups(
        'By revising under Iran, in the entry for "Foo Co.", the words "Tehran, Iran" to read "Karaj, Iran"',
      ),
    ).toEqual([{ action: 'revise', country: 'IRAN', names: ['Foo Co.'], count: 1 }]);
  });

  it('tells introductions and other provisions apart', () => {
    const intro = parseAmendatoryInstruction('2. Amend supplement no. 4 to part 744 by:');
    expect(intro).toMatchObject({ namesSupplement4: true, groups: [] });
    expect(parseAmendatoryInstruction('The additions and revisions read as follows:').groups).toEqual([]);
    expect(
      parseAmendatoryInstruction(
        '3. Section 744.21 is amended by revising paragraph (a) to read as follows:',
      ),
    ).toMatchObject({
      namesSupplement4: false,
      namesOtherProvision: true,
    });
    expect(
      parseAmendatoryInstruction(
        '1. The authority citation for 15 CFR part 744 continues to read as follows:',
      ).namesOtherProvision,
    ).toBe(true);
    expect(
      parseAmendatoryInstruction('4. Supplement No. 7 to part 744 is amended by adding a sentence')
        .namesOtherProvision,
    ).toBe(true);
  });

  it('uses destinations printed in the document table', () => {
    expect(
      groups('a. By adding under Ruritania Federation, in alphabetical order, one entity;', [
        'RURITANIA FEDERATION',
      ])[0],
    ).toMatchObject({
      country: 'RURITANIA FEDERATION',
    });
  });
});

describe('maskQuotedNames', () => {
  it('keeps one level of quotes inside a name', () => {
    expect(maskQuotedNames('entries for "JSC "Kronstadt"" and "Foo"').names).toEqual([
      'JSC "Kronstadt"',
      'Foo',
    ]);
    expect(
      maskQuotedNames('entries for \u201cJSC \u201cKronstadt\u201d\u201d and \u201cFoo\u201d').names,
    ).toEqual(['JSC \u201cKronstadt\u201d', 'Foo']);
  });
  it('takes list commas inside the quotes out of the name', () => {
    expect(maskQuotedNames('entries for "A Co.," "B Ltd.," and "C."').names).toEqual([
      'A Co.',
      'B Ltd.',
      'C.',
    ]);
  });
});

describe('parseCount', () => {
  it.each([
    ['one', 1],
    ['an', 1],
    ['twenty-eight', 28],
    ['forty five', 45],
    ['one hundred and four', 104],
    ['12', 12],
    ['thirty-one', 31],
  ])('%s → %d', (text, n) => expect(parseCount(text)).toBe(n));
  it('refuses non-numbers', () => expect(parseCount('several')).toBeUndefined());
});

describe('numberWord', () => {
  it('spells counts as the FR does, and parseCount reads them back', () => {
    expect([1, 2, 13, 20, 42, 99].map(numberWord)).toEqual([
      'one',
      'two',
      'thirteen',
      'twenty',
      'forty-two',
      'ninety-nine',
    ]);
    for (let n = 0; n < 100; n++) expect(parseCount(numberWord(n))).toBe(n);
    expect(numberWord(104)).toBe('104');
  });
});
