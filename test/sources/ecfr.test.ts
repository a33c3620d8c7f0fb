import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ListedEntry, Snapshot } from '../../src/entity-list/types.js';
import { HttpFetcher } from '../../src/http-client/http.js';
import { RateBudget } from '../../src/http-client/rate-budget.js';
import { loadCorpus } from '../../src/replay/corpus.js';
import type { ReplayServer } from '../../src/replay/server.js';
import { groundTruthStateAt } from '../../src/replay/timeline.js';
import { nameProbeKey, parseEntityCell } from '../../src/entity-list/entity-cell.js';
import { cellSegments } from '../../src/entity-list/table.js';
import { parseFederalRegisterXml } from '../../src/rule-xml/safe-parse.js';
import { parseEcfrSupplement4, renderEcfrPart744 } from '../../src/sources/ecfr.js';
import { ecfrPart744Url, fetchEcfrEntityList } from '../../src/sources/fetch.js';
import { DEV_CORPUS, REAL, readJson, startReplay } from '../replay/helpers.js';

/** eCFR Supplement No. 4: pure parse/render tier, then the fetcher against the replay server. */

const trim = (s: string): string => s.replace(/\s*\.$/, '');
// The constructed corpus keeps an "and" that begins an address before the last; the eCFR reader
// reads every leading "and" as the list's joining word, as the real list prints it.
const address = (s: string): string => trim(s).replace(/^and\s+/i, '');
const comparable = (e: ListedEntry): string =>
  JSON.stringify([
    e.country,
    trim(e.name),
    e.aliases.map(trim),
    e.addresses.map(address),
    e.licenseRequirement,
    e.licenseReviewPolicy,
    e.federalRegisterCitations,
    e.footnotes ?? [],
  ]);

function mismatches(want: Snapshot, got: Snapshot): string[] {
  const g = new Set(got.entries.map(comparable));
  return want.entries.filter((e) => !g.has(comparable(e))).map((e) => `${e.country} / ${e.name}`);
}

describe('eCFR render → parse round trip', () => {
  const final = readJson<Snapshot>(join(DEV_CORPUS, 'final.json'));
  const baseline = readJson<Snapshot>(join(DEV_CORPUS, 'baseline.json'));

  it('gives back every entry of the final state when the names are known', () => {
    for (const snap of [baseline, final]) {
      const xml = renderEcfrPart744(snap);
      const { snapshot, report } = parseEcfrSupplement4(xml, {
        asOf: snap.asOf,
        knownNames: snap.entries.map((e) => e.name),
      });
      expect(snapshot.entries).toHaveLength(snap.entries.length);
      expect(mismatches(snap, snapshot)).toEqual([]);
      expect(report.warnings).toEqual([]);
    }
  });

  it('without known names, only a name that is itself "X, Y" with no alias can split wrongly', () => {
    const { snapshot } = parseEcfrSupplement4(renderEcfrPart744(final), { asOf: final.asOf });
    expect(mismatches(final, snapshot)).toEqual(['IRAN / Kish Airlines, Headquarters']);
  });

  it('carries footnotes through the table notes', () => {
    const snap: Snapshot = {
      asOf: '2024-01-01',
      entries: [
        {
          country: "CHINA, PEOPLE'S REPUBLIC OF",
          name: 'Fushun Jinly Petrochemical Carbon Co., Ltd.',
          aliases: [],
          addresses: ['Room 2104, Jinhui Plaza, Fushun, Liaoning, 113015, China'],
          licenseRequirement: 'For all items subject to the EAR. (See § 744.11 of the EAR.)',
          licenseReviewPolicy: 'Presumption of denial.',
          federalRegisterCitations: ['88 FR 38739, 6/12/23'],
          footnotes: ['For this entity, "items subject to the EAR" includes foreign-produced items.'],
        },
      ],
    };
    const xml = renderEcfrPart744(snap);
    expect(xml).toContain('<sup>1</sup>');
    const { snapshot } = parseEcfrSupplement4(xml, { asOf: snap.asOf });
    expect(mismatches(snap, snapshot)).toEqual([]);
  });
});

describe('eCFR XML as the versioner prints it', () => {
  // Hand-written in the eCFR layout (ECFR-XML-User-Guide.md §3.21): THEAD/TBODY, <br/>, <sup>,
  // inline <E>, a star row, a [Reserved] row, the country printed once per destination.
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<DIV5 N="744" TYPE="PART"><HEAD>PART 744—CONTROL POLICY</HEAD>
<DIV9 N="Supplement No. 4 to Part 744" TYPE="APPENDIX"><HEAD>Supplement No. 4 to Part 744—Entity List</HEAD>
<P>This Supplement lists certain entities …</P>
<DIV width="100%"><DIV class="gpotbl_div"><TABLE class="gpotbl_table">
<THEAD><TR><TH>Country</TH><TH>Entity</TH><TH>License requirement</TH><TH>License review policy</TH><TH>Federal Register citation</TH></TR></THEAD>
<TBODY>
<TR><TD>AFGHANISTAN</TD><TD>Abdul Satar Ghoura, 501, 5th Floor, Amanullah Sancharaki Market, Kabul, Afghanistan; and Flat No. 41, Kabul, Afghanistan.</TD><TD>For all items subject to the EAR. (See § 744.11 of the EAR).</TD><TD>Presumption of denial.</TD><TD>76 FR 71869, 11/21/11.</TD></TR>
<TR><TD>CHINA, PEOPLE'S REPUBLIC OF</TD><TD>Dahua Technology, a.k.a., the following one alias:<br/>—Zhejiang Dahua Technology Co., Ltd.<br/>Hangzhou, Zhejiang, China.</TD><TD>For all items subject to the EAR. (See § 744.11 of the EAR)</TD><TD>Case-by-case review for ECCNs 1A004.c; presumption of denial for all other items.</TD><TD>84 FR 54002, 10/9/19.</TD></TR>
<TR><TD/><TD>Fushun Jinly Petrochemical Carbon Co., Ltd.<sup>1</sup>, Room 2104, Jinhui Plaza, Fushun, Liaoning, 113015, China.</TD><TD>For all items subject to the EAR. (See § 744.11 of the EAR.)</TD><TD>Presumption of denial.</TD><TD>88 FR 38739, 6/12/23.</TD></TR>
<TR><TD/><TD>[Reserved]</TD><TD/><TD/><TD/></TR>
<TR><TD>RUSSIA</TD><TD><E T="03">Ryazan State Instrument Enterprise (RSIE)</E>, a.k.a., the following two aliases: —RSIE; and —GRPZ. Seminarskaya Street 32, Ryazan, 390000, Russia.</TD><TD>For all items subject to the EAR.</TD><TD>Policy of denial.</TD><TD>81 FR 21442, 3/22/16. 87 FR 12226, 3/3/22.</TD></TR>
<TR><TD>*  *  *  *  *</TD></TR>
</TBODY></TABLE></DIV>
<DIV class="table_foot"><P class="gpotbl_note"><sup>1</sup> For this entity, "items subject to the EAR" includes foreign-produced items.</P></DIV></DIV>
</DIV9></DIV5>`;

  it('reads entries, aliases, addresses, citations and footnotes', () => {
    const { snapshot, report } = parseEcfrSupplement4(xml, { asOf: '2024-01-01' });
    expect(report.entries).toBe(4);
    expect(report.skipped).toBe(3); // header, [Reserved], star row
    const [ghoura, dahua, fushun, ryazan] = snapshot.entries;
    expect(ghoura).toMatchObject({
      country: 'AFGHANISTAN',
      name: 'Abdul Satar Ghoura',
      addresses: [
        '501, 5th Floor, Amanullah Sancharaki Market, Kabul, Afghanistan',
        'Flat No. 41, Kabul, Afghanistan',
      ],
      federalRegisterCitations: ['76 FR 71869, 11/21/11'],
    });
    expect(dahua).toMatchObject({
      country: "CHINA, PEOPLE'S REPUBLIC OF",
      name: 'Dahua Technology',
      aliases: ['Zhejiang Dahua Technology Co., Ltd.'],
      addresses: ['Hangzhou, Zhejiang, China'],
    });
    expect(fushun).toMatchObject({
      country: "CHINA, PEOPLE'S REPUBLIC OF",
      name: 'Fushun Jinly Petrochemical Carbon Co., Ltd.',
      addresses: ['Room 2104, Jinhui Plaza, Fushun, Liaoning, 113015, China'],
      footnotes: ['For this entity, "items subject to the EAR" includes foreign-produced items.'],
    });
    expect(ryazan).toMatchObject({
      country: 'RUSSIA',
      name: 'Ryazan State Instrument Enterprise (RSIE)',
      aliases: ['RSIE', 'GRPZ'],
      addresses: ['Seminarskaya Street 32, Ryazan, 390000, Russia'],
      federalRegisterCitations: ['81 FR 21442, 3/22/16', '87 FR 12226, 3/3/22'],
    });
  });

  it('reads the table in Federal Register markup too, with the same readers', () => {
    const gpo = `<DIV5 N="744"><DIV9 N="Supplement No. 4 to Part 744" TYPE="APPENDIX"><GPOTABLE COLS="5">
<BOXHD><CHED H="1">Country</CHED><CHED H="1">Entity</CHED><CHED H="1">License requirement</CHED><CHED H="1">License review policy</CHED><CHED H="1">Federal Register citation</CHED></BOXHD>
<ROW><ENT I="01">CHINA, PEOPLE'S REPUBLIC OF</ENT><ENT>Dahua Technology, a.k.a., the following one alias:<LI>—Zhejiang Dahua Technology Co., Ltd.</LI><LI>Hangzhou, Zhejiang, China.</LI></ENT><ENT>For all items subject to the EAR.<SU>1</SU></ENT><ENT>Presumption of denial.</ENT><ENT>84 FR 54002, 10/9/19.</ENT></ROW>
<TNOTE><SU>1</SU> See § 734.9(e).</TNOTE>
</GPOTABLE></DIV9></DIV5>`;
    const { snapshot, report } = parseEcfrSupplement4(gpo, { asOf: '2024-01-01' });
    expect(report).toMatchObject({ rows: 1, entries: 1, skipped: 0, warnings: [] });
    expect(snapshot.entries).toEqual([
      {
        country: "CHINA, PEOPLE'S REPUBLIC OF",
        name: 'Dahua Technology',
        aliases: ['Zhejiang Dahua Technology Co., Ltd.'],
        addresses: ['Hangzhou, Zhejiang, China'],
        licenseRequirement: 'For all items subject to the EAR.',
        licenseReviewPolicy: 'Presumption of denial.',
        federalRegisterCitations: ['84 FR 54002, 10/9/19'],
        footnotes: ['See § 734.9(e).'],
      },
    ]);
  });

  it('refuses XML without the Supplement, with a DOCTYPE, or malformed', () => {
    const title1 = readFileSync(join(REAL, 'ecfr', 'ECFR-title1.xml'), 'utf8');
    expect(() => parseEcfrSupplement4(title1, { asOf: '2022-12-29' })).toThrow(
      /no Supplement No. 4 to Part 744/,
    );
    expect(() =>
      parseEcfrSupplement4('<!DOCTYPE x [<!ENTITY a "b">]><DIV5/>', { asOf: '2020-01-01' }),
    ).toThrow(expect.objectContaining({ code: 'XML_ENTITY_FORBIDDEN' }));
    expect(() => parseEcfrSupplement4(xml.slice(0, 900), { asOf: '2020-01-01' })).toThrow(
      expect.objectContaining({ code: 'XML_TRUNCATED' }),
    );
    expect(() =>
      parseEcfrSupplement4(xml.replace('</TBODY>', '</TD></TBODY>'), { asOf: '2020-01-01' }),
    ).toThrow(expect.objectContaining({ code: 'XML_INVALID' }));
    expect(() => parseEcfrSupplement4('<RULE/>', { asOf: '2020-01-01' })).toThrow(
      expect.objectContaining({ code: 'XML_WRONG_ROOT' }),
    );
  });
});

describe('Entity cells (FR and eCFR conventions)', () => {
  const parse = (fragment: string, knownNames?: string[]) =>
    parseEntityCell(
      cellSegments(parseFederalRegisterXml(`<TD>${fragment}</TD>`, { roots: new Set(['TD']) }).root),
      knownNames ? { knownNames: new Set(knownNames.map(nameProbeKey)) } : {},
    );

  it('FR <LI> aliases, with "f.k.a." names on their own line', () => {
    expect(
      parse(
        'SGM Most OOO, a.k.a., the following two aliases:<LI>—SGM-Bridge; and</LI><LI>—SGM-Most, LLC;</LI><LI>f.k.a., —Obshchestvo SGM Most.</LI><LI>d. 10 korp. 3 ul. Neverovskogo, Moscow, 121170, Russia.</LI>',
      ),
    ).toMatchObject({
      name: 'SGM Most OOO',
      aliases: ['SGM-Bridge', 'SGM-Most, LLC', 'Obshchestvo SGM Most'],
      addresses: ['d. 10 korp. 3 ul. Neverovskogo, Moscow, 121170, Russia'],
    });
  });

  it('an inline f.k.a. name before an address line', () => {
    expect(
      parse(
        'LTS Holding Limited, f.k.a., —IPP-International Petroleum Products Ltd.<LI>Tortola, British Virgin Islands, Tortola, United Kingdom.</LI>',
      ),
    ).toMatchObject({
      name: 'LTS Holding Limited',
      aliases: ['IPP-International Petroleum Products Ltd.'],
      addresses: ['Tortola, British Virgin Islands, Tortola, United Kingdom'],
    });
  });

  it('a name with commas: legal forms stay in the name; known names settle the rest', () => {
    expect(parse('Xiamen Meiya Pico Information Co., Ltd., Xiamen, Fujian, China.')).toMatchObject({
      name: 'Xiamen Meiya Pico Information Co., Ltd.',
      addresses: ['Xiamen, Fujian, China'],
      nameBy: 'comma-rule',
    });
    expect(
      parse('Kish Airlines, Headquarters, No. 21 Ekbatan Main Blvd, Tehran, Iran.', [
        'Kish Airlines, Headquarters',
      ]),
    ).toMatchObject({
      name: 'Kish Airlines, Headquarters',
      addresses: ['No. 21 Ekbatan Main Blvd, Tehran, Iran'],
      nameBy: 'known-name',
    });
  });
});

describe('eCFR fetcher against the replay server', () => {
  let server: ReplayServer;
  let fetcher: HttpFetcher;
  beforeAll(async () => {
    server = await startReplay({ now: '2035-01-01T00:00:00Z' });
    fetcher = new HttpFetcher({ retry: { baseDelayMs: 10 } });
  });
  afterAll(async () => {
    await fetcher.close();
    await server.close();
  });

  it('fetches Supplement No. 4 at a date and parses it into the timeline state at that date', async () => {
    const budget = new RateBudget({ limit: 1, windowMs: 1000 });
    const expected = await groundTruthStateAt(await loadCorpus(DEV_CORPUS))!('2019-10-09');
    expect(ecfrPart744Url('2019-10-09', server.url)).toBe(
      `${server.url}/api/versioner/v1/full/2019-10-09/title-15.xml?part=744`,
    );
    const { snapshot, report } = await fetchEcfrEntityList(fetcher, {
      date: '2019-10-09',
      baseUrl: server.url,
      signal: AbortSignal.timeout(30_000),
      budget,
      knownNames: expected.entries.map((e) => e.name),
    });
    expect(report.entries).toBe(expected.entries.length);
    expect(mismatches(expected, snapshot)).toEqual([]);
    expect(snapshot.asOf).toBe('2019-10-09');
  });
});
