import { describe, expect, it } from 'vitest';
import { renderRealLayout } from '../../scripts/holdout/real-layout.mjs';
import { extractFromXml } from '../../src/entity-list/extract.js';
import { parseAmendatoryInstruction } from '../../src/entity-list/instructions.js';
import type { DocumentExtraction } from '../../src/entity-list/types.js';
import { buildRule, type BuiltRule } from '../support/rule-builder.js';

/**
 * The language of amendatory instructions beyond the constructed corpus: every numbering style,
 * counts without names, one clause naming several destinations, removal and addition under one
 * destination in one clause. Each rule is read in the builder's compact GPO layout and in the real
 * layout, pretty-printed and compact; all three must read alike.
 */
function extractAll(rule: BuiltRule): DocumentExtraction {
  const xml = buildRule(rule);
  const [base] = extractFromXml(xml);
  const [pretty, compact] = [true, false].map(
    (p) =>
      extractFromXml(
        renderRealLayout(xml, { pretty: p, citation: '90 FR 1001', publicationDate: '2025-01-06' }),
      )[0]!,
  );
  for (const real of [pretty!, compact!]) {
    expect(real.changes).toEqual(base!.changes);
    // Row numbers in messages count the real layout's header and star rows too.
    expect(real.warnings.map((w) => w.code)).toEqual(base!.warnings.map((w) => w.code));
  }
  expect(pretty!.warnings).toEqual(compact!.warnings);
  return base!;
}
const brief = (doc: DocumentExtraction): string[] =>
  doc.changes.map((c) => `${c.action} ${c.country} | ${c.entry.name}`);
const row = (country: string | undefined, name: string) => ({
  ...(country ? { country } : {}),
  entity: `${name}, 1 Main Street, Springfield.`,
});

describe('numbering', () => {
  it.each([
    ['1. Amend', '1'],
    ['a. Under', 'a'],
    ['(a) Under', 'a'],
    ['(1) Under', '1'],
    ['(i) Under', 'i'],
    ['(iv) Under', 'iv'],
  ])('reads the label of "%s …"', (start, label) => {
    expect(parseAmendatoryInstruction(`${start} RUSSIA, by adding one entity, “Alpha LLC”;`).label).toBe(
      label,
    );
  });

  it('keeps "(1)", "(a)", "(i)" items inside the Supplement No. 4 run; a new "3." ends it', () => {
    const doc = extractAll({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended:',
            '(a) Under RUSSIA:',
            '(1) By adding in alphabetical order one entity, “Alpha LLC”; and',
            '(i) By removing under Germany, one entity, “Rhein Tech GmbH”;',
            '(b) By revising under India, one entity, “Bharat Avionics”.',
          ],
          rows: [row('RUSSIA', 'Alpha LLC'), row('INDIA', 'Bharat Avionics')],
        },
        { amdpars: ['3. Section 744.21 is amended by removing under Germany one entity, “Other GmbH”.'] },
      ],
    });
    expect(brief(doc)).toEqual([
      'add RUSSIA | Alpha LLC',
      'revise INDIA | Bharat Avionics',
      'remove GERMANY | Rhein Tech GmbH',
    ]);
    expect(doc.warnings).toEqual([]);
  });
});

describe('counts without names', () => {
  it('revises by count: "by revising under Russia, five entities"', () => {
    const names = ['Alpha LLC', 'Beta LLC', 'Gamma LLC', 'Delta LLC', 'Epsilon LLC'];
    const doc = extractAll({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by revising under Russia, five entities, to read as follows:',
          ],
          rows: names.map((n, i) => row(i === 0 ? 'RUSSIA' : undefined, n)),
        },
      ],
    });
    expect(brief(doc)).toEqual(names.map((n) => `revise RUSSIA | ${n}`));
    expect(doc.warnings).toEqual([]);
  });

  it('says so when the table gives another number of entries than the count', () => {
    const doc = extractAll({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by revising under Russia, five entities, to read as follows:',
          ],
          rows: [row('RUSSIA', 'Alpha LLC'), row(undefined, 'Beta LLC')],
        },
      ],
    });
    expect(doc.changes).toHaveLength(2);
    expect(doc.warnings.map((w) => w.code)).toEqual(['COUNT_MISMATCH']);
  });

  it('warns on a removal by count alone: the instruction does not say which entries go', () => {
    const doc = extractAll({
      regtexts: [
        { amdpars: ['2. Supplement No. 4 to part 744 is amended by removing under Russia, five entities.'] },
      ],
    });
    expect(doc.changes).toEqual([]);
    expect(doc.isEntityListChange).toBe(true);
    expect(doc.warnings.map((w) => w.code)).toEqual(['COUNT_MISMATCH']);
  });
});

describe('one clause, several destinations', () => {
  it('removes one entity under each destination the clause names', () => {
    const doc = extractAll({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by removing under Afghanistan and Pakistan, one entity, “Zurmat General Trading”.',
          ],
        },
      ],
    });
    expect(brief(doc)).toEqual([
      'remove AFGHANISTAN | Zurmat General Trading',
      'remove PAKISTAN | Zurmat General Trading',
    ]);
    expect(doc.warnings).toEqual([]);
  });

  it('reads three destinations: "under China, Hong Kong, and Singapore"', () => {
    expect(
      parseAmendatoryInstruction(
        'b. By removing under China, Hong Kong, and Singapore, one entity, “X Ltd.”;',
      ).groups.map((g) => g.country),
    ).toEqual(["CHINA, PEOPLE'S REPUBLIC OF", 'HONG KONG', 'SINGAPORE']);
  });

  it('lets the rows settle which name is under which destination in a revision', () => {
    const doc = extractAll({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by revising under Egypt and Russia, 2 entities, “Nile Tech” and “Volga Tech” to read as follows:',
          ],
          rows: [row('EGYPT', 'Nile Tech'), row('RUSSIA', 'Volga Tech')],
        },
      ],
    });
    expect(brief(doc)).toEqual(['revise EGYPT | Nile Tech', 'revise RUSSIA | Volga Tech']);
    expect(doc.warnings).toEqual([]);
  });

  it('warns when a removal names several entities under several destinations (the rows cannot settle it)', () => {
    const doc = extractAll({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by removing under Egypt and Russia, 2 entities, “Nile Tech” and “Volga Tech”.',
          ],
        },
      ],
    });
    expect(doc.changes).toHaveLength(4);
    expect(doc.warnings.map((w) => w.code)).toEqual(['AMBIGUOUS_NAME']);
    expect(doc.warnings[0]!.message).toMatch(/EGYPT and RUSSIA/);
  });

  it('warns when a name under one of the destinations has no row under any of them', () => {
    const doc = extractAll({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by revising under Egypt and Russia, 2 entities, “Nile Tech” and “Volga Tech” to read as follows:',
          ],
          rows: [row('EGYPT', 'Nile Tech')],
        },
      ],
    });
    expect(brief(doc)).toEqual(['revise EGYPT | Nile Tech']);
    expect(doc.warnings.map((w) => w.code)).toEqual(['INSTRUCTION_WITHOUT_ROW', 'INSTRUCTION_WITHOUT_ROW']);
  });
});

describe('removal and addition under one destination in one clause', () => {
  it.each([
    '2. Supplement No. 4 to part 744 is amended under RUSSIA by removing the entry for “Alpha LLC” and adding in alphabetical order an entry for “Beta LLC” to read as follows:',
    '2. Supplement No. 4 to part 744 is amended by removing under Russia, one entity, “Alpha LLC”, and by adding under Russia, in alphabetical order, one entity, “Beta LLC”, to read as follows:',
  ])('%s', (amdpar) => {
    const doc = extractAll({ regtexts: [{ amdpars: [amdpar], rows: [row('RUSSIA', 'Beta LLC')] }] });
    expect(brief(doc)).toEqual(['add RUSSIA | Beta LLC', 'remove RUSSIA | Alpha LLC']);
    expect(doc.warnings).toEqual([]);
  });
});

describe('rows the instructions do not place', () => {
  it('warns when a row is under a destination no instruction names (it still takes the one action of the rule)', () => {
    const doc = extractAll({
      regtexts: [
        {
          amdpars: [
            '2. Supplement No. 4 to part 744 is amended by adding under Russia, in alphabetical order, two entities:',
          ],
          rows: [row('RUSSIA', 'Alpha LLC'), row('GERMANY', 'Rhein Tech GmbH')],
        },
      ],
    });
    expect(brief(doc)).toEqual(['add RUSSIA | Alpha LLC', 'add GERMANY | Rhein Tech GmbH']);
    expect(doc.warnings.map((w) => w.code)).toContain('ROW_WITHOUT_INSTRUCTION');
    expect(doc.warnings.find((w) => w.code === 'ROW_WITHOUT_INSTRUCTION')!.message).toMatch(/GERMANY/);
  });
});
