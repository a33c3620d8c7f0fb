import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryKey } from '../../src/entity-list/identity.js';
import type { ListedEntry, Snapshot } from '../../src/entity-list/types.js';
import { parseCslCsv, parseCslJson, splitCslCitations } from '../../src/sources/csl.js';
import { resolveAddressCountry, destinationFor } from '../../src/sources/countries.js';
import { DEV_CORPUS, REAL, readJson } from '../replay/helpers.js';

/** Pure tier: the Consolidated Screening List → Entity List snapshot, on the real trade.gov files. */

const csl = (name: string): string => readFileSync(join(REAL, 'csl', name), 'utf8');
const find = (s: Snapshot, country: string, name: string): ListedEntry | undefined =>
  s.entries.find((e) => e.country === country && e.name === name);

describe('CSL 2023-11-30 (watchman excerpt of consolidated.csv)', () => {
  const { snapshot, report } = parseCslCsv(csl('watchman-csl-2023-11-30.csv'), { asOf: '2023-11-30' });

  it('reads the file despite its duplicated header line and the record cut at its end', () => {
    expect(report.duplicateHeaders).toBe(1);
    expect(report.skippedRecords).toBe(1); // the excerpt ends inside a quoted SDN field
    expect(report.rows).toBe(4226);
  });

  it('imports its 919 Entity List rows as 977 entries', () => {
    // 919 rows have source "Entity List (EL) - Bureau of Industry and Security" (counted with
    // Python's csv module). Rows with addresses in several countries become one entry per
    // destination (988 listings); 11 listings repeat a (destination, name) of an earlier row
    // and are merged into it.
    expect(report.entityListRows).toBe(919);
    expect(report.listings).toBe(988);
    expect(report.merged).toBe(11);
    expect(report.entries).toBe(977);
    expect(snapshot.entries).toHaveLength(977);
    expect(new Set(snapshot.entries.map((e) => entryKey(e.country, e.name))).size).toBe(977);
    expect(snapshot.asOf).toBe('2023-11-30');
  });

  it('lists an entity under each destination of its addresses', () => {
    const af = find(snapshot, 'AFGHANISTAN', 'Abdul Satar Ghoura')!;
    const pk = find(snapshot, 'PAKISTAN', 'Abdul Satar Ghoura')!;
    expect(af.addresses).toEqual([
      '501, 5th Floor, Amanullah Sancharaki Market Opp Chaman E Huzuri, Kabul, Afghanistan',
      'Flat No. 41 Block No 24 Macroyan 3, Kabul, Afghanistan',
    ]);
    expect(pk.addresses).toHaveLength(2);
    expect(pk.addresses.every((a) => a.endsWith(', Pakistan'))).toBe(true);
  });

  it('splits the accumulated citation field', () => {
    const multi = snapshot.entries.filter((e) => e.federalRegisterCitations.length > 1);
    expect(multi.length).toBeGreaterThan(50);
    const four = snapshot.entries.find(
      (e) => e.federalRegisterCitations.join('|') === '63 FR 64322|65 FR 14444|66 FR 50090|69 FR 56693',
    );
    expect(four).toBeDefined();
    expect(snapshot.entries.every((e) => e.federalRegisterCitations.every((c) => !c.includes(';')))).toBe(
      true,
    );
  });

  it('uses the Entity List destination names', () => {
    const countries = new Set(snapshot.entries.map((e) => e.country));
    for (const c of [
      "CHINA, PEOPLE'S REPUBLIC OF",
      'UNITED ARAB EMIRATES',
      'RUSSIA',
      'HONG KONG',
      'UKRAINE',
    ]) {
      expect(countries).toContain(c);
    }
    expect([...countries].every((c) => c === c.toUpperCase() && c !== '')).toBe(true);
    // U.A.E. addresses are spelled as the EL spells them.
    const uae = snapshot.entries.filter((e) => e.country === 'UNITED ARAB EMIRATES');
    expect(uae.some((e) => e.addresses.some((a) => a.endsWith(', U.A.E.')))).toBe(true);
  });

  it('agrees with the constructed corpus built from the same file', () => {
    // The dev corpus's baseline and final states were generated from this CSL's Entity List rows
    // (README.constructed.md); entries it did not revise must come out the same.
    const trim = (s: string): string => s.replace(/\s*\.$/, '');
    const mine = new Map(snapshot.entries.map((e) => [entryKey(e.country, e.name), e]));
    let compared = 0;
    let sameAddresses = 0;
    let sameAliases = 0;
    for (const file of ['baseline.json', 'final.json']) {
      for (const e of readJson<Snapshot>(join(DEV_CORPUS, file)).entries) {
        const m = mine.get(entryKey(e.country, e.name));
        if (!m) continue;
        compared++;
        if (JSON.stringify(e.addresses.map(trim)) === JSON.stringify(m.addresses.map(trim))) sameAddresses++;
        if (JSON.stringify(e.aliases.map(trim)) === JSON.stringify(m.aliases.map(trim))) sameAliases++;
      }
    }
    expect(compared).toBeGreaterThan(600);
    expect(sameAddresses / compared).toBeGreaterThan(0.95);
    expect(sameAliases / compared).toBeGreaterThan(0.97);
  });
});

describe('CSL 2025-06-25 (cslustest consolidated excerpt)', () => {
  const { snapshot, report } = parseCslCsv(csl('watchman-cslustest-consolidated-2025-06-25.csv'), {
    asOf: '2025-06-25',
  });
  it('reads its one Entity List row with two citations in one field', () => {
    expect(report.entityListRows).toBe(1);
    expect(snapshot.entries).toHaveLength(1);
    const e = snapshot.entries[0]!;
    expect(e.country).toBe("CHINA, PEOPLE'S REPUBLIC OF");
    expect(e.name).toBe('China Electronics Technology Group Corporation 13th Research Institute (CETC 13)');
    expect(e.federalRegisterCitations).toEqual(['83 FR 37423', '87 FR 77505']);
    expect(e.aliases).toEqual([
      'Hebei Semiconductor Research Institute',
      'HSRI',
      'Hebei Institute of Semiconductors',
      'Hebei Semiconductor Institute',
      'Hebei Semiconductor',
      'CETC Research Institute 13',
    ]);
    expect(e.addresses).toEqual([
      '113 Hezuo Road, Shijiazhuang, Hebei, China',
      '21 Changsheng Street, Shijiazhuang, Hebei, China',
      '21 Changsheng Road, Shijiazhuang, Hebei, China, Shijiazhuang, Hebei Province, China',
    ]);
  });
});

describe('CSL 2019-12-03 and the API v2 JSON', () => {
  it('repairs Windows-1252 punctuation and merges rows of one entity', () => {
    const { snapshot, report } = parseCslCsv(csl('watchman-csl-2019-12-03.csv'), { asOf: '2019-12-03' });
    expect(report.entityListRows).toBe(22);
    expect(find(snapshot, 'ISRAEL', 'A. Leib Ltd.')!.addresses).toEqual([
      'HA\u2019Assif 19, Binyamina, Israel',
    ]);
    const no = find(snapshot, 'NORWAY', 'Gunther Migeotte')!;
    expect(no.addresses).toHaveLength(4); // four rows merged
    expect(find(snapshot, 'SOUTH AFRICA', 'Gunther Migeotte')!.federalRegisterCitations).toEqual([
      '75 FR 36516',
      '77 FR 58006 (no. 182)',
    ]);
  });

  it('reads the JSON shape (address objects, alt_names arrays)', () => {
    const { snapshot, report } = parseCslJson(csl('govwizely-csl-api-v2-el-expected-results.json'), {
      asOf: '2015-06-01',
    });
    expect(report.entityListRows).toBe(7);
    expect(snapshot.entries).toHaveLength(5);
    const farid = find(snapshot, 'AFGHANISTAN', 'Fazal Rahim Farid')!;
    expect(farid.aliases).toEqual(['Fazel Rahim Farid', 'Farid', 'Engineer Idris']);
    expect(farid.addresses).toEqual([
      'Microrayan 3rd Apt. 45, block #21, Kabul, Afghanistan',
      'A2 Ground Floor, City Computer Plaza, Shar-e-Naw, Kabul, Afghanistan',
    ]);
    expect(find(snapshot, 'AFGHANISTAN', 'Qazi Abdallah')!.federalRegisterCitations).toEqual([
      '76 FR 71867',
      '76 FR 10001',
    ]);
    expect(find(snapshot, 'TURKEY', 'Murat Peker')).toBeDefined();
  });

  it('refuses files that are not the CSL', () => {
    expect(() => parseCslCsv('a,b\n1,2\n', { asOf: '2020-01-01' })).toThrow(/CSL header/);
    expect(() => parseCslJson('{"x":1}', { asOf: '2020-01-01' })).toThrow(/results/);
  });
});

describe('citations and countries', () => {
  it('splits citations on ";" and on "," before another citation, not before a date', () => {
    expect(splitCslCitations('66 FR 24266 , 77 FR 58006 (no. 182); 84 FR 40241 ')).toEqual([
      '66 FR 24266',
      '77 FR 58006 (no. 182)',
      '84 FR 40241',
    ]);
    expect(splitCslCitations('73 FR 54504 (9/22/2008), 77 FR 24587')).toEqual([
      '73 FR 54504 (9/22/2008)',
      '77 FR 24587',
    ]);
    expect(splitCslCitations('84 FR 54002, 10/9/19. 85 FR 37648, 6/5/20.')).toEqual([
      '84 FR 54002, 10/9/19',
      '85 FR 37648, 6/5/20',
    ]);
    expect(splitCslCitations('')).toEqual([]);
  });

  it('reads a destination from ISO codes and names', () => {
    expect(destinationFor('CN')).toBe("CHINA, PEOPLE'S REPUBLIC OF");
    expect(destinationFor('AE')).toBe('UNITED ARAB EMIRATES');
    expect(destinationFor('RU')).toBe('RUSSIA');
    expect(destinationFor('HK')).toBe('HONG KONG');
    expect(destinationFor('U.A.E.')).toBe('UNITED ARAB EMIRATES');
    expect(destinationFor('crimea (occupied)')).toBe('UKRAINE');
    expect(resolveAddressCountry('1 Main St, Moscow, 127994, RU')).toMatchObject({
      code: 'RU',
      address: '1 Main St, Moscow, 127994, Russia',
    });
    expect(resolveAddressCountry('Room 8306, Beijing 100020, China')).toMatchObject({ code: 'CN' });
    expect(resolveAddressCountry('Wuhou District, China 610036')).toMatchObject({ code: 'CN' });
    expect(resolveAddressCountry('No. 6 Yong Xin Street, Chengdu')).toBeUndefined();
  });
});
