import { describe, expect, it } from 'vitest';
import { extractFromXml } from '../../src/entity-list/extract.js';
import { buildRule, type BuiltRule } from '../support/rule-builder.js';

const extract = (rule: BuiltRule) => {
  const [doc, ...rest] = extractFromXml(buildRule(rule));
  expect(rest).toHaveLength(0);
  return doc!;
};
const brief = (rule: BuiltRule) =>
  extract(rule).changes.map((c) => `${c.action} ${c.country} | ${c.entry.name}`);

describe('extraction: layouts and wordings the corpus does not have', () => {
  it('reads one lettered instruction and its table per REGTEXT', () => {
    const doc = extract({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended:',
            'a. By adding under Germany, in alphabetical order, one entity;',
          ],
          rows: [{ country: 'GERMANY', entity: 'Rhein Tech GmbH, Hauptstrasse 1, 10115 Berlin, Germany.' }],
        },
        {
          amdpars: ['b. By revising under India, one entity, "Bharat Avionics"; and'],
          rows: [
            {
              country: 'INDIA',
              entity: 'Bharat Avionics, 12 MG Road, Bengaluru, India.',
              citation: '80 FR 100, 1/2/15. 90 FR 1001, 1/6/25.',
            },
          ],
        },
        { amdpars: ['c. By removing under Pakistan, one entity, "Indus Traders".'] },
      ],
    });
    expect(doc.changes.map((c) => [c.action, c.country, c.entry.name])).toEqual([
      ['add', 'GERMANY', 'Rhein Tech GmbH'],
      ['revise', 'INDIA', 'Bharat Avionics'],
      ['remove', 'PAKISTAN', 'Indus Traders'],
    ]);
    expect(
      (doc.changes[1]!.entry as { federalRegisterCitations: string[] }).federalRegisterCitations,
    ).toEqual(['80 FR 100, 1/2/15', '90 FR 1001, 1/6/25']);
    expect(doc.warnings).toEqual([]);
  });

  it('takes the action of each row from the instruction that names it when one destination has several', () => {
    expect(
      brief({
        regtexts: [
          {
            amdpars: [
              '2. Amend supplement no. 4 to part 744 by:',
              'a. Under RUSSIA, adding in alphabetical order entries for "Aero Plant" and "Volga Systems";',
              'b. Under RUSSIA, revising the entry for "Baltic Shipping".',
              'The additions and revision read as follows:',
            ],
            rows: [
              { country: 'RUSSIA', entity: 'Aero Plant, 1 Lenina St., Moscow, Russia.' },
              { entity: 'Baltic Shipping, 5 Nevsky Pr., St. Petersburg, Russia.' },
              { entity: 'Volga Systems, 7 Volzhskaya, Samara, Russia.' },
            ],
          },
        ],
      }),
    ).toEqual(['add RUSSIA | Aero Plant', 'revise RUSSIA | Baltic Shipping', 'add RUSSIA | Volga Systems']);
  });

  it('reports a count that disagrees with the table, and keeps every row', () => {
    const doc = extract({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by adding under Iran, in alphabetical order, three entities to read as follows:',
          ],
          rows: [
            { country: 'IRAN', entity: 'Alborz Parts, Tehran, Iran.' },
            { entity: 'Zagros Electronics, Shiraz, Iran.' },
          ],
        },
      ],
    });
    expect(doc.changes).toHaveLength(2);
    expect(doc.warnings.map((w) => w.code)).toEqual(['COUNT_MISMATCH']);
    expect(doc.warnings[0]!.message).toMatch(/announces 3 entries to add under Iran, the table gives 2/);
  });

  it('reports a row no instruction introduces and an instruction with no row, dropping neither', () => {
    const doc = extract({
      regtexts: [
        {
          amdpars: [
            '2. Amend supplement no. 4 to part 744 by:',
            'a. Under CANADA, adding in alphabetical order an entry for "Maple Dynamics";',
            'b. Under CANADA, revising the entry for "Northern Optics"; and',
            'c. Under JAPAN, revising the entry for "Kanto Trading".',
          ],
          rows: [
            { country: 'CANADA', entity: 'Maple Dynamics, 1 King St., Toronto, Canada.' },
            { country: 'MEXICO', entity: 'Sierra Importaciones, Monterrey, Mexico.' },
          ],
        },
      ],
    });
    expect(doc.changes.map((c) => `${c.action} ${c.entry.name}`)).toEqual([
      'add Maple Dynamics',
      'add Sierra Importaciones',
    ]);
    expect(doc.warnings.map((w) => w.code).sort()).toEqual([
      'INSTRUCTION_WITHOUT_ROW',
      'INSTRUCTION_WITHOUT_ROW',
      'ROW_WITHOUT_INSTRUCTION',
    ]);
  });

  it('reads a revision whose row prints a new name, keeping the name the instruction used', () => {
    const doc = extract({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by revising under Singapore, one entity, "Lion Star Pte Ltd" to read as follows:',
          ],
          rows: [{ country: 'SINGAPORE', entity: 'Lion Star Holdings Pte. Ltd., 10 Anson Road, Singapore.' }],
        },
      ],
    });
    expect(doc.changes).toMatchObject([
      {
        action: 'revise',
        country: 'SINGAPORE',
        previousName: 'Lion Star Pte Ltd',
        entry: { name: 'Lion Star Holdings Pte. Ltd.' },
      },
    ]);
    expect(doc.warnings.map((w) => w.code)).toEqual(['AMBIGUOUS_NAME']);
  });

  it('uses names the supplementary information lists to find where a name ends', () => {
    const doc = extract({
      supplementary: 'Hong Kong: Pearl River Trading, Unit 5; Victoria Components.',
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by adding under Hong Kong, in alphabetical order, two entities to read as follows:',
          ],
          rows: [
            {
              country: 'HONG KONG',
              entity: 'Pearl River Trading, Unit 5, 12 Queen’s Road, Central, Hong Kong.',
            },
            { entity: 'Victoria Components, Flat B, 3/F, Kowloon, Hong Kong.' },
          ],
        },
      ],
    });
    expect(doc.changes.map((c) => [c.entry.name, (c.entry as { addresses: string[] }).addresses])).toEqual([
      ['Pearl River Trading, Unit 5', ['12 Queen’s Road, Central, Hong Kong']],
      ['Victoria Components', ['Flat B, 3/F, Kowloon, Hong Kong']],
    ]);
  });

  it('reads a rule that only removes, under several destinations in one instruction', () => {
    expect(
      brief({
        regtexts: [
          {
            amdpars: [
              '2. Supplement No. 4 to part 744 is amended by removing under Germany, two entities, “Alpha GmbH” and “Beta AG”; and under the Netherlands, one entity, “Gamma B.V.”.',
            ],
          },
        ],
      }),
    ).toEqual(['remove GERMANY | Alpha GmbH', 'remove GERMANY | Beta AG', 'remove NETHERLANDS | Gamma B.V.']);
  });

  it('ignores a BIS rule that amends other parts of 744 and mentions the Entity List', () => {
    const doc = extract({
      regtexts: [
        {
          amdpars: [
            '2. Section 744.11 is amended by revising paragraph (b) to read as follows (the Entity List criteria):',
          ],
        },
      ],
    });
    expect(doc.isEntityListChange).toBe(false);
    expect(doc.changes).toEqual([]);
  });

  it('ignores Supplement No. 4 tables in other titles and parts', () => {
    const doc = extract({
      regtexts: [
        {
          part: '746',
          amdpars: [
            '2. Supplement No. 4 to part 746 is amended by adding under Russia, in alphabetical order, one entity:',
          ],
          rows: [{ country: 'RUSSIA', entity: 'Not An Entity List Entry, Moscow, Russia.' }],
        },
      ],
    });
    expect(doc.changes).toEqual([]);
    expect(doc.isEntityListChange).toBe(false);
  });

  it('marks public inspection extractions provisional', () => {
    const [doc] = extractFromXml(
      buildRule({
        regtexts: [
          {
            amdpars: [
              '2. Supplement No. 4 to part 744 is amended by adding under Iran, in alphabetical order, one entity:',
            ],
            rows: [
              {
                country: 'IRAN',
                entity: 'Alborz Parts, Tehran, Iran.',
                citation: '90 FR [INSERT FR PAGE NUMBER], 1/6/25.',
              },
            ],
          },
        ],
      }),
      { provisional: true },
    );
    expect(doc!.changes[0]).toMatchObject({
      provisional: true,
      entry: { federalRegisterCitations: ['90 FR [INSERT FR PAGE NUMBER], 1/6/25'] },
    });
  });

  it('carries the destination of a heading paragraph to its sub-items', () => {
    expect(
      brief({
        regtexts: [
          {
            amdpars: [
              '2. Amend supplement no. 4 to part 744 by:',
              "a. Under CHINA, PEOPLE'S REPUBLIC OF:",
              'i. Adding in alphabetical order an entry for "Shenzhen Beta Microelectronics"; and',
              'ii. Revising the entry for "Wuhan Optics Co., Ltd."; and',
              'b. Under RUSSIA, removing the entry for "Volga Trading".',
            ],
            rows: [
              {
                country: "CHINA, PEOPLE'S REPUBLIC OF",
                entity: 'Shenzhen Beta Microelectronics, 1 Tech Road, Shenzhen, China.',
              },
              { entity: 'Wuhan Optics Co., Ltd., 2 Lake Road, Wuhan, China.' },
            ],
          },
        ],
      }),
    ).toEqual([
      "add CHINA, PEOPLE'S REPUBLIC OF | Shenzhen Beta Microelectronics",
      "revise CHINA, PEOPLE'S REPUBLIC OF | Wuhan Optics Co., Ltd.",
      'remove RUSSIA | Volga Trading',
    ]);
  });

  it('reads a former name listed inline among the aliases', () => {
    const doc = extract({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by adding under Russia, in alphabetical order, one entity to read as follows:',
          ],
          rows: [
            {
              country: 'RUSSIA',
              entity:
                'Delta Most OOO, a.k.a., the following two aliases: —Delta-Bridge; and —Delta-Most, LLC; f.k.a., —Obshchestvo S Ogranichennoi Otvetstvennostyu Delta Most. ul. Neverovskogo 10, Moscow, 121170, Russia.',
            },
          ],
        },
      ],
    });
    expect(doc.changes[0]!.entry).toMatchObject({
      name: 'Delta Most OOO',
      aliases: ['Delta-Bridge', 'Delta-Most, LLC', 'Obshchestvo S Ogranichennoi Otvetstvennostyu Delta Most'],
      addresses: ['ul. Neverovskogo 10, Moscow, 121170, Russia'],
    });
  });

  it('reads a removal whose destination comes between the count and the name', () => {
    expect(
      brief({
        regtexts: [
          {
            amdpars: [
              '2. Supplement No. 4 to part 744 is amended by removing the entry under CANADA for "Maple Leaf Exports".',
            ],
          },
        ],
      }),
    ).toEqual(['remove CANADA | Maple Leaf Exports']);
  });
});

describe('extraction: what a generated holdout corpus found', () => {
  it('reads addresses printed one per list item without an "and" address', () => {
    const doc = extract({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by adding under Russia, in alphabetical order, one entity to read as follows:',
          ],
          rows: [
            {
              country: 'RUSSIA',
              entity:
                'Neva Instruments<LI>28 Vostochnoye shosse, St. Petersburg, Russia; and</LI><LI>40 Bolshaya Yakimanka Street, Moscow, Russia.</LI>',
            },
          ],
        },
      ],
    });
    expect(doc.changes[0]!.entry).toMatchObject({
      name: 'Neva Instruments',
      addresses: [
        '28 Vostochnoye shosse, St. Petersburg, Russia',
        '40 Bolshaya Yakimanka Street, Moscow, Russia',
      ],
    });
  });

  it('uses a name list whose items contain abbreviations and run into the next sentence', () => {
    const doc = extract({
      supplementary:
        'This rule adds the following two entities to the Entity List: Azam Electronics; Maple Engineering Pvt. Ltd. Consultants, Importers and Exporters. The ERC made these decisions by majority vote.',
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by adding under Pakistan, in alphabetical order, two entities to read as follows:',
          ],
          rows: [
            { country: 'PAKISTAN', entity: 'Azam Electronics, Lahore, Pakistan.' },
            {
              entity:
                'Maple Engineering Pvt. Ltd. Consultants, Importers and Exporters, Islamabad, Pakistan.',
            },
          ],
        },
      ],
    });
    expect(doc.changes.map((c) => [c.entry.name, (c.entry as { addresses: string[] }).addresses])).toEqual([
      ['Azam Electronics', ['Lahore, Pakistan']],
      ['Maple Engineering Pvt. Ltd. Consultants, Importers and Exporters', ['Islamabad, Pakistan']],
    ]);
  });

  it('does not hand an unnamed, uncounted addition the verb of the next clause', () => {
    expect(
      brief({
        regtexts: [
          {
            amdpars: [
              '2. Supplement No. 4 to part 744 is amended by: a. Adding under Ukraine, in alphabetical order, the following entity; and b. Revising under Turkey the entry for "Kral Aviation".',
            ],
            rows: [
              { country: 'TURKEY', entity: 'Kral Aviation, Istanbul, Turkey.' },
              { country: 'UKRAINE', entity: 'Odesa Marine Works, Odesa, Ukraine.' },
            ],
          },
        ],
      }),
    ).toEqual(['revise TURKEY | Kral Aviation', 'add UKRAINE | Odesa Marine Works']);
  });

  it('keeps cross-references to other listings out of names and addresses', () => {
    const doc = extract({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by adding under Singapore, in alphabetical order, two entities to read as follows:',
          ],
          rows: [
            {
              country: 'SINGAPORE',
              entity:
                'Brian Douglas Woodford (See alternate address under United Kingdom), 10 Anson Road, Singapore.',
            },
            {
              entity:
                'Lion Star Pte Ltd, 1 Raffles Place, Singapore (See alternate address under Hong Kong).',
            },
          ],
        },
      ],
    });
    expect(doc.changes.map((c) => c.entry)).toMatchObject([
      {
        name: 'Brian Douglas Woodford',
        addresses: ['10 Anson Road, Singapore'],
        seeAlso: ['UNITED KINGDOM'],
      },
      { name: 'Lion Star Pte Ltd', addresses: ['1 Raffles Place, Singapore'], seeAlso: ['HONG KONG'] },
    ]);
  });
});
