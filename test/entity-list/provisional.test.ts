import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { entryKey } from '../../src/entity-list/identity.js';
import { readProvisionalChanges } from '../../src/entity-list/provisional.js';
import type { ChangeAction } from '../../src/entity-list/types.js';
import { xmlToText } from '../../src/replay/public-inspection.js';
import { corpusDocuments } from '../support/fixtures.js';

const countBy = (items: Array<{ action: ChangeAction; n: number }>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const { action, n } of items) out[action] = (out[action] ?? 0) + n;
  return out;
};

describe('provisional changes from a public-inspection copy’s text', () => {
  describe.each(corpusDocuments().map((d) => [d.number, d] as const))('%s', (_number, doc) => {
    const reading = readProvisionalChanges(xmlToText(readFileSync(doc.xmlPath, 'utf8')));

    it('announces as many changes of each kind as the published rule makes', () => {
      expect(
        countBy([
          ...reading.changes.map((c) => ({ action: c.action, n: 1 })),
          ...reading.unnamed.map((u) => ({ action: u.action, n: u.count })),
        ]),
      ).toEqual(countBy(doc.expected.changes.map((c) => ({ action: c.action, n: 1 }))));
    });

    it('names only entries the published rule changes, with the same action', () => {
      const published = new Set(
        doc.expected.changes.flatMap((c) =>
          [c.entry.name, ...(c.previousName ? [c.previousName] : [])].map(
            (name) => `${c.action} ${entryKey(c.country, name)}`,
          ),
        ),
      );
      for (const c of reading.changes)
        expect(published).toContain(`${c.action} ${entryKey(c.country, c.name)}`);
    });
  });

  it('reads 2019-22210’s instruction as twenty-eight unnamed additions under China', () => {
    const doc = corpusDocuments().find((d) => d.number === '2019-22210')!;
    expect(readProvisionalChanges(xmlToText(readFileSync(doc.xmlPath, 'utf8')))).toEqual({
      changes: [],
      unnamed: [{ action: 'add', country: "CHINA, PEOPLE'S REPUBLIC OF", count: 28 }],
    });
  });

  it('reads text wrapped without blank lines, and not the preamble’s prose', () => {
    const text = [
      'SUMMARY: In this rule, the Bureau of Industry and Security (BIS) amends the Export',
      'Administration Regulations by adding three entities under Russia and removing one',
      'entity under Pakistan from the Entity List (supplement no. 4 to part 744).',
      'For the reasons stated in the preamble, part 744 of the Export Administration',
      'Regulations (15 CFR parts 730 through 774) is amended as follows:',
      'PART 744--CONTROL POLICY: END-USER AND END-USE BASED',
      '1. The authority citation for part 744 continues to read as follows:',
      '   Authority: 50 U.S.C. 4801-4852; 50 U.S.C. 1701 et seq.',
      '2. Amend supplement no. 4 to part 744 by:',
      '   a. Under PAKISTAN, removing the entry for “Ahad International”;',
      '   b. Under RUSSIA:',
      '   i. Adding in alphabetical order entries for “Alfa Aviation, LLC” and',
      '“Kronshtadt Group”; and',
      '   ii. Revising the entry for “JSC Rubin”.',
      '   The additions and revision read as follows:',
      'Supplement No. 4 to Part 744--Entity List',
    ].join('\n');
    expect(readProvisionalChanges(text)).toEqual({
      changes: [
        { action: 'remove', country: 'PAKISTAN', name: 'Ahad International' },
        { action: 'add', country: 'RUSSIA', name: 'Alfa Aviation, LLC' },
        { action: 'add', country: 'RUSSIA', name: 'Kronshtadt Group' },
        { action: 'revise', country: 'RUSSIA', name: 'JSC Rubin' },
      ],
      unnamed: [],
    });
  });

  it('finds nothing in a rule that does not amend the Entity List', () => {
    expect(
      readProvisionalChanges(
        'PART 744--CONTROL POLICY\n\n1. Section 744.21 is amended by revising paragraph (a) to read as follows:\n\n(a) General prohibition.',
      ),
    ).toEqual({ changes: [], unnamed: [] });
  });
});
