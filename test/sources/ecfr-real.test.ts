import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ecfrCommand } from '../../src/commands/ecfr.js';
import { nameProbeKey, parseEntityCell, type CellSegment } from '../../src/entity-list/entity-cell.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import { parseEcfrSupplement4, type EcfrEntry, type EcfrParseReport } from '../../src/sources/ecfr.js';
import { REAL } from '../replay/helpers.js';

/**
 * The real Entity List: eCFR XML of part 744 as the versioner serves it, on three days of 2026
 * (test/fixtures/real/ecfr/README.md). Pure tier; about a second per file.
 */

const PART_744 = join(REAL, 'ecfr', 'part-744');
const DATES = ['2026-03-25', '2026-07-18', '2026-07-23'] as const;

function realXml(date: string): string {
  return gunzipSync(readFileSync(join(PART_744, `title-15-part-744-${date}.xml.gz`))).toString('utf8');
}

/** The words of a text, as the independent check (shared/tools/check_ecfr.py) compares them. */
function words(text: string): string[] {
  return text
    .replace(/[\u2018\u2019]/g, "'")
    .toLowerCase()
    .split(/[^\p{L}\p{N}_§']+/u)
    .filter((w) => w.length > 0);
}

const read: Record<string, { snapshot: Snapshot; report: EcfrParseReport }> = {};
beforeAll(() => {
  for (const date of DATES) read[date] = parseEcfrSupplement4(realXml(date), { asOf: date });
});

const byName = (snap: Snapshot, country: string, name: string): EcfrEntry[] =>
  snap.entries.filter((e) => e.country === country && e.name === name);

describe('the real list of 2026-07-23', () => {
  it('reads 3,411 entries in 91 destinations; the 4 Entity-only rows continue the entry above', () => {
    const { snapshot, report } = read['2026-07-23']!;
    expect(snapshot.entries).toHaveLength(3411);
    expect(new Set(snapshot.entries.map((e) => e.country)).size).toBe(91);
    expect(report).toMatchObject({ entries: 3411, continuationRows: 4, mergedRows: 0 });
    expect(report.warnings).toEqual([]);
    // "The following addresses apply to the entity and to the thirteen subordinate institutions:"
    const casic = byName(
      snapshot,
      "CHINA, PEOPLE'S REPUBLIC OF",
      'China Aerospace Science and Industry Corporation Second Academy',
    )[0]!;
    expect(casic.aliases).toHaveLength(8);
    expect(casic.subordinates?.map((s) => s.name)).toContain('201 Research Institute');
    expect(casic.addresses).toContain('90 Dianzi Road, Section One, Xian, China');
  });

  it('reads "the following N aliases" as N, except where BIS itself prints another number', () => {
    const { report } = read['2026-07-23']!;
    const { rows, agree, disagreements } = report.announcedAliases;
    expect(agree / rows).toBeGreaterThanOrEqual(0.99);
    // Every disagreement left is BIS's own count: it prints more or fewer dashed aliases, or counts
    // the aliases but not the subordinate institutions it lists among them.
    for (const d of disagreements)
      expect(d.why).toMatch(
        /^BIS prints \d+ dashed aliases after announcing \d+$|include the named subordinate/,
      );
    expect(disagreements.map((d) => d.name)).toContain('Suntac Group');
  });

  it('ends the last alias where the address runs on after it', () => {
    const { snapshot } = read['2026-07-23']!;
    expect(byName(snapshot, 'RUSSIA', 'APEX')[0]).toMatchObject({
      aliases: ['APEKS', 'APEX Systems', 'OOO APEX', 'APEX Ltd.'],
      addresses: [
        '26 General Belov St Office 415, Moscow, Russia 115583',
        '26 Generala Belova Street, Office 415, Moscow, Russia 115583',
        '53 Sherbakovskaya Street, Building 3, Office 509, Moscow, Russia 105318',
      ],
    });
    expect(byName(snapshot, 'UNITED ARAB EMIRATES', 'Liberty House Trading LLC')[0]).toMatchObject({
      aliases: ['Baet Alhoreya Electronics Trading', 'Baet Alhoreya'],
    });
    expect(byName(snapshot, 'PAKISTAN', 'Engineering Materials and Equipment Co.')[0]).toMatchObject({
      aliases: ['EMEC'],
      addresses: ['Suite 7, Floor 6, Shaheen Complex, Egerton Road, Lahore 54010, Pakistan'],
    });
    // "…, and the following three aliases:" announces without "a.k.a.".
    const casc = snapshot.entries.find((e) =>
      e.name.startsWith('China Aerospace Science and Technology Corporation (CASC) 8th Academy'),
    )!;
    expect(casc.name).toBe('China Aerospace Science and Technology Corporation (CASC) 8th Academy');
    expect(casc.aliases).toHaveLength(3);
  });

  it('keeps a parenthesised former name in the name, before the aliases the row announces', () => {
    const [zaliv] = byName(
      read['2026-07-23']!.snapshot,
      'CRIMEA REGION OF UKRAINE',
      "OOO Shipyard 'Zaliv' (f.k.a., AO Shipyard 'Zaliv'; JSC Shipyard 'Zaliv;' JSC Zaliv Shipyard; and OJSC ZALIV SHIPYARD)",
    );
    expect(zaliv?.aliases).toHaveLength(2);
  });

  it('never begins an address with "and" nor keeps a cross-reference in it; seeAlso is split', () => {
    const { snapshot } = read['2026-07-23']!;
    for (const e of snapshot.entries) {
      for (const a of e.addresses) {
        expect(a).not.toMatch(/^\s*(?:and|;)\b/i);
        expect(a).not.toMatch(/see\s+(?:also\s+)?altern/i);
      }
      for (const d of e.seeAlso ?? []) expect(d).not.toMatch(/,|\band\b/i);
    }
    const veteran = byName(snapshot, 'ARMENIA', 'Veteran Avia LLC')[0]!;
    expect(veteran.seeAlso).toEqual(['GREECE', 'PAKISTAN', 'UNITED KINGDOM']);
    const khalil = byName(snapshot, 'AFGHANISTAN', 'Khalil Zadran')[0]!;
    expect(khalil.seeAlso).toEqual(['PAKISTAN']);
    expect(khalil.addresses.join(' ')).not.toMatch(/Pakistan\)/);
  });

  it('license requirement, review policy and citations carry the cell words', () => {
    const xml = realXml('2026-07-23');
    const { snapshot } = read['2026-07-23']!;
    const ace = byName(
      snapshot,
      "CHINA, PEOPLE'S REPUBLIC OF",
      'New H3C Semiconductor Technologies Co., Ltd.',
    )[0]!;
    // The row prints "86 FR 67319, 11/26/21." and "87 FR 62202, 10/13/22." (checked in the XML).
    for (const c of ace.federalRegisterCitations) expect(xml).toContain(c.slice(0, 11));
    expect(ace.federalRegisterCitations).toHaveLength(2);
    expect(words(ace.federalRegisterCitations.join(' '))).toEqual(
      expect.arrayContaining(['86', 'fr', '67319']),
    );
    for (const e of snapshot.entries) {
      expect(e.licenseRequirement.length).toBeGreaterThan(0);
      expect(e.licenseReviewPolicy.length).toBeGreaterThan(0);
      expect(e.federalRegisterCitations.length).toBeGreaterThan(0);
      for (const c of e.federalRegisterCitations) expect(c).toMatch(/^\d{1,3} FR /);
    }
  });

  it('links every footnote mark to one of the five notes after the last entry', () => {
    const { snapshot, report } = read['2026-07-23']!;
    expect(report.footnotes.notes).toBe(5);
    expect(report.footnotes.linked).toBe(report.footnotes.marks);
    expect(report.footnotes.marks).toBeGreaterThan(1000);
    const huawei = byName(snapshot, 'ARGENTINA', 'Huawei Cloud Argentina')[0]!;
    expect(huawei.footnotes).toHaveLength(2);
    expect(huawei.footnotes![0]).toMatch(/734\.9\(e\)\(1\)/);
    expect(huawei.footnotes![1]).toMatch(/^Cybersecurity research and vulnerability disclosure\./);
    // Ordinals and fractions in the Entity cell are text, not marks.
    const head = byName(snapshot, "CHINA, PEOPLE'S REPUBLIC OF", 'China HEAD Aerospace Technology Co.')[0]!;
    expect(head.addresses).toContain(
      'Room 01, floor 13, building 5, no. A2 courtyard, west 3rd ring r. Beijing, 10004-8, China',
    );
    const borluca = byName(snapshot, 'TURKEY', 'Huseyin Engin Borluca')[0]!;
    expect(borluca.addresses[1]).toMatch(/^Sonmez Apt\. No\. 4\u20445 1523 Sokak/);
  });

  it('ends names without aliases where the markup and the list say, and reports the rules used', () => {
    const { snapshot, report } = read['2026-07-23']!;
    expect(report.nameBy).toMatchObject({ marker: expect.any(Number), 'comma-rule': expect.any(Number) });
    expect(Object.values(report.nameBy).reduce((a, b) => a + (b ?? 0), 0)).toBe(3411);
    const names = (country: string, prefix: string): string[] =>
      snapshot.entries.filter((e) => e.country === country && e.name.startsWith(prefix)).map((e) => e.name);
    // One parent, several children: the child is part of each name (sibling rule).
    const academy = names("CHINA, PEOPLE'S REPUBLIC OF", 'Academy of Military Medical Sciences,');
    expect(academy).toHaveLength(11);
    expect(new Set(academy).size).toBe(11);
    const tactical = names('RUSSIA', 'Tactical Missile Corporation,');
    expect(tactical.length).toBeGreaterThanOrEqual(30);
    expect(new Set(tactical).size).toBe(tactical.length);
    expect(tactical).toContain('Tactical Missile Corporation, 711 Aircraft Repair Plant (711 ARZ)');
    // A period before a house number, or before a destination alone, ends a name.
    expect(byName(snapshot, 'RUSSIA', 'Joint Stock Company 766 UPTK')[0]?.addresses[0]).toMatch(
      /^1 Institutskaya Street/,
    );
    expect(byName(snapshot, 'SOUTH SUDAN', 'Juba Petrotech Technical Services Ltd.')[0]?.addresses).toEqual([
      'South Sudan',
    ]);
    // No name holds a list of addresses.
    for (const e of snapshot.entries)
      expect(e.name.replace(/\(f\.k\.a\.[^)]*\)/, '')).not.toMatch(/;\s*and\b/);
  });
});

describe('three real versions', () => {
  it('read to 3,411 entries each, with the same destinations and names', () => {
    const key = (e: EcfrEntry): string => `${e.country}|${nameProbeKey(e.name)}`;
    const sorted = (s: Snapshot): string[] => s.entries.map(key).sort();
    const base = sorted(read['2026-07-23']!.snapshot);
    for (const date of DATES) {
      expect(read[date]!.snapshot.entries).toHaveLength(3411);
      expect(sorted(read[date]!.snapshot)).toEqual(base);
    }
  });
});

describe('a malformed row: two entries merged in one TR (eCFR, 2024-10-23)', () => {
  const file = join(REAL, 'ecfr', 'pakistan-row-2024-10-23.before.xml');

  it('reads both entries apart and warns, naming the row and what it holds', () => {
    const { snapshot, report } = parseEcfrSupplement4(readFileSync(file, 'utf8'), { asOf: '2024-10-23' });
    expect(snapshot.entries.map((e) => e.name)).toEqual([
      'Abdul Qader Khan Research Laboratories (AQKRL)',
      'X-Cilent Engineering',
      'Zaheer & Sons',
    ]);
    const xcilent = snapshot.entries[1]!;
    expect(xcilent.addresses).toEqual(['642, Afshan Colony, Rawalpindi Cantt, 46000, Pakistan']);
    expect(snapshot.entries[2]).toMatchObject({
      country: 'PAKISTAN',
      aliases: ['Zaheer Sons'],
      federalRegisterCitations: ['89 FR 84462, 10/23/24'],
    });
    expect(report.mergedRows).toBe(1);
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(/row 3\b.*10 cells.*X-Cilent Engineering.*Zaheer & Sons/);
  });

  it('through the command: the snapshot on stdout, the warning on stderr', async () => {
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    expect(await ecfrCommand([file], io)).toBe(0);
    const snap = JSON.parse(out) as Snapshot;
    expect(snap.asOf).toBe('2024-10-23');
    expect(snap.entries).toHaveLength(3);
    expect(err).toMatch(/1 merged rows read apart/);
    expect(err).toMatch(/warning: .*row 3/);
    expect(await ecfrCommand([file, '--as-of', 'yesterday'], io)).toBe(64);
    expect(await ecfrCommand([join(REAL, 'ecfr', 'ECFR-title1.xml'), '--as-of', '2022-12-29'], io)).toBe(2);
    expect(err).toMatch(/SOURCE_INVALID/);
  });
});

describe('Entity cells of the real list', () => {
  const cell = (...lines: string[]) =>
    parseEntityCell(
      lines.map((text, i): CellSegment => ({ kind: i === 0 ? 'inline' : 'li', text })),
      { keepLeadingAnd: false },
    );

  it('splits a cross-reference into destinations, whatever its wording', () => {
    expect(
      cell('Veteran Avia LLC, Yerevan, Armenia. (See also addresses under Greece, Pakistan, and U.K.)')
        .seeAlso,
    ).toEqual(['GREECE', 'PAKISTAN', 'UNITED KINGDOM']);
    expect(
      cell('Khalil Zadran, Shahreno, Kabul, Afghanistan. (See alternate address in Pakistan)'),
    ).toMatchObject({
      seeAlso: ['PAKISTAN'],
      addresses: ['Shahreno, Kabul, Afghanistan'],
    });
    expect(
      cell('X, Crimea 98107, Ukraine (See alternate addresses under Crimea (Occupied)).').seeAlso,
    ).toEqual(['CRIMEA (OCCUPIED)']);
    expect(
      cell('Allied Trading Co., Karachi, Pakistan (See alternate address under UCB Arcade in Uganda).')
        .seeAlso,
    ).toEqual(['UGANDA']);
    expect(
      cell('A Co., Almaty, Kazakhstan.', '(For alternate addresses, see Kyrgyzstan and Turkey.)'),
    ).toMatchObject({
      seeAlso: ['KYRGYZSTAN', 'TURKEY'],
      name: 'A Co.',
    });
    expect(cell('Anvik, Tehran, Iran (See alternate addresses under China and Malaysia)').seeAlso).toEqual([
      'CHINA',
      'MALAYSIA',
    ]);
  });

  it('keeps a short company form after a comma in the name', () => {
    expect(
      cell('JLD Technology, Hong Kong Co., Ltd., Room 1237, Pacific Trade Centre, Kowloon Bay, Hong Kong.'),
    ).toMatchObject({
      name: 'JLD Technology, Hong Kong Co., Ltd.',
      addresses: ['Room 1237, Pacific Trade Centre, Kowloon Bay, Hong Kong'],
    });
    expect(
      cell('Abbas Goldoozan, Kimya IC VE Dis Ticaret Ltd., 2nd Floor, No. 2, Istanbul, Turkey.').name,
    ).toBe('Abbas Goldoozan');
  });

  it('reads the announced number of aliases when they are printed without dashes', () => {
    expect(
      cell(
        'Aerostar Asset Management FZC, a.k.a., the following two aliases: Star Aviation Group; and Star Aviation Services FZC. Saif Zone, Sharjah, United Arab Emirates; and P.O. Box 9300, Sharjah, U.A.E.',
      ),
    ).toMatchObject({
      name: 'Aerostar Asset Management FZC',
      aliases: ['Star Aviation Group', 'Star Aviation Services FZC'],
      addresses: ['Saif Zone, Sharjah, United Arab Emirates', 'P.O. Box 9300, Sharjah, U.A.E.'],
    });
    expect(
      cell(
        'Federal State Unitary Enterprise VNIIFTRI, a.k.a., the following one alias:',
        'VNIIFTRI.',
        'Mendeleevo Village, Moscow Oblast, 141570, Russia.',
      ),
    ).toMatchObject({
      aliases: ['VNIIFTRI'],
      addresses: ['Mendeleevo Village, Moscow Oblast, 141570, Russia'],
    });
  });
});
