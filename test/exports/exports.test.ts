import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { keyOf } from '../../src/entity-list/snapshot.js';
import type { ListedEntry, Snapshot } from '../../src/entity-list/types.js';
import { CSL_HEADER, cslId } from '../../src/exports/csl.js';
import { isCalendarDate, parseCitation } from '../../src/exports/dates.js';
import { ftmDelta } from '../../src/exports/delta.js';
import { ftmEntities, ftmSchemaOf, type FtmEntity } from '../../src/exports/ftm.js';
import { nameQuery, selectEntries } from '../../src/exports/select.js';
import { cslCsvChunks, cslJsonChunks, exportChunks, ftmChunks } from '../../src/exports/stream.js';
import { parseCslCsv, parseCslJson } from '../../src/sources/csl.js';
import { DEV_CORPUS, FIXTURES, readSnapshot } from '../support/fixtures.js';
import { ftmProblems } from './ftm-model.js';

/** Pure tier: the export formats built from the dev corpus's lists. */
const final = readSnapshot(join(DEV_CORPUS, 'final.json'));
const baseline = readSnapshot(join(DEV_CORPUS, 'baseline.json'));

async function text(chunks: AsyncGenerator<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}

function ftmOf(entries: readonly ListedEntry[]): Promise<FtmEntity[]> {
  return text(ftmChunks(entries)).then((t) =>
    t
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FtmEntity),
  );
}

/**
 * The entry fields an import can carry, keyed, for comparing lists regardless of order. The
 * importer drops a leading "and " of an address (rule 2 of src/sources/csl.ts), which the
 * Entity List prints before the last address of some entries: `clean` does the same here.
 */
function byKey(snapshot: Snapshot, clean = (a: string) => a): Map<string, ListedEntry> {
  return new Map(
    snapshot.entries.map((e) => [
      keyOf(e),
      {
        country: e.country,
        name: e.name,
        aliases: e.aliases,
        addresses: e.addresses.map(clean),
        licenseRequirement: e.licenseRequirement,
        licenseReviewPolicy: e.licenseReviewPolicy,
        federalRegisterCitations: e.federalRegisterCitations,
      },
    ]),
  );
}

describe('CSL CSV', () => {
  it('has exactly the header of trade.gov’s consolidated.csv and one RFC 4180 row per entry', async () => {
    const real = readFileSync(join(FIXTURES, 'real', 'csl', 'watchman-csl-2023-11-30.csv'), 'utf8');
    const realHeader = real.slice(0, real.indexOf('\n'));
    const csv = await text(cslCsvChunks(final.entries));
    expect(csv.slice(0, csv.indexOf('\r\n'))).toBe(realHeader);
    expect([...CSL_HEADER].join(',')).toBe(realHeader);
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(rows).toHaveLength(final.entries.length);
    const dahua = rows.find((r) => r.name === 'Dahua Technology')!;
    expect(dahua).toMatchObject({
      source: 'Entity List (EL) - Bureau of Industry and Security',
      alt_names: 'Zhejiang Dahua Technology Co., Ltd.',
      addresses: 'Hangzhou, Zhejiang, China',
      federal_register_notice: '84 FR 54002, 10/9/19',
      start_date: '2019-10-09',
      license_policy: expect.stringMatching(/^Case-by-case review for ECCNs 1A004\.c/),
    });
    expect(dahua._id).toMatch(/^[0-9a-f]{56}$/);
    expect(new Set(rows.map((r) => r._id)).size).toBe(rows.length);
  });

  it('quotes and escapes commas, quotes and line breaks as RFC 4180 says', async () => {
    const odd: ListedEntry = {
      country: 'RUSSIA',
      name: 'Joint Stock Company "Zvezdochka", Ship Repair',
      aliases: ['A "quoted; alias"', 'Second'],
      addresses: ['Line one\nline two, Moscow, Russia'],
      licenseRequirement: 'For all items subject to the EAR.',
      licenseReviewPolicy: 'Presumption of denial.',
      federalRegisterCitations: ['87 FR 12226, 3/3/22'],
    };
    const csv = await text(cslCsvChunks([odd]));
    expect(csv).toContain('"Joint Stock Company ""Zvezdochka"", Ship Repair"');
    const [row] = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(row!.name).toBe(odd.name);
    // A ";" inside an alias would be read as a separator: it becomes ",".
    expect(row!.alt_names).toBe('A "quoted, alias"; Second');
    expect(row!.addresses).toBe('Line one\nline two, Moscow, Russia');
  });

  it('reads back through our own CSL importer to the same list (round trip)', async () => {
    const csv = await text(cslCsvChunks(final.entries));
    const back = parseCslCsv(csv, { asOf: final.asOf });
    expect(back.report.warnings.filter((w) => !/name no country/.test(w.message))).toEqual([]);
    expect(back.snapshot.entries).toHaveLength(final.entries.length);
    expect(byKey(back.snapshot)).toEqual(byKey(final, (a) => a.replace(/^and\s+/i, '')));
  });

  it('gives an entry without addresses its destination’s code, as the CSL does', async () => {
    const bare = { ...final.entries[0]!, addresses: [] };
    const [row] = parse(await text(cslCsvChunks([bare])), { columns: true }) as Array<Record<string, string>>;
    expect(row!.addresses).toBe('AF');
  });
});

describe('CSL JSON', () => {
  it('carries the same rows with lists, and reads back through the importer', async () => {
    const json = JSON.parse(await text(cslJsonChunks(final.entries))) as {
      total: number;
      results: Array<{
        id: string;
        alt_names: string[];
        addresses: Array<{ address: string; country: string }>;
      }>;
    };
    expect(json.total).toBe(final.entries.length);
    expect(json.results).toHaveLength(final.entries.length);
    const dahua = json.results.find((r) => r.alt_names.includes('Zhejiang Dahua Technology Co., Ltd.'))!;
    expect(dahua.addresses).toEqual([
      { address: 'Hangzhou, Zhejiang', city: null, state: null, postal_code: null, country: 'CN' },
    ]);
    const back = parseCslJson(JSON.stringify(json), { asOf: final.asOf });
    expect(back.snapshot.entries).toHaveLength(final.entries.length);
    expect([...byKey(back.snapshot).keys()].sort()).toEqual([...byKey(final).keys()].sort());
  });
});

describe('FollowTheMoney', () => {
  it('builds entities the followthemoney model accepts, one Sanction per entry', async () => {
    const entities = await ftmOf(final.entries);
    expect(ftmProblems(entities)).toEqual([]);
    const sanctions = entities.filter((e) => e.schema === 'Sanction');
    expect(sanctions).toHaveLength(final.entries.length);
    expect(new Set(entities.map((e) => e.id)).size).toBe(entities.length);
    const byId = new Map(entities.map((e) => [e.id, e]));
    for (const s of sanctions) {
      const target = byId.get(s.properties.entity![0]!)!;
      expect(target.properties.name).toHaveLength(1);
      expect(s.properties.authority).toEqual(['Bureau of Industry and Security']);
    }
    const dahua = entities.find((e) => e.properties.name?.[0] === 'Dahua Technology')!;
    expect(dahua).toMatchObject({
      schema: 'Company',
      properties: {
        alias: ['Zhejiang Dahua Technology Co., Ltd.'],
        country: ['cn'],
        address: ['Hangzhou, Zhejiang, China'],
      },
    });
    const sanction = sanctions.find((s) => s.properties.entity![0] === dahua.id)!;
    expect(sanction.properties).toMatchObject({
      startDate: ['2019-10-09'],
      sourceUrl: ['https://www.federalregister.gov/citation/84-FR-54002'],
      provisions: [expect.stringMatching(/^For all items subject to the EAR/)],
      reason: [expect.stringMatching(/^Case-by-case review/)],
    });
  });

  it('keeps ids stable: the same entry has the same ids whatever else is exported', async () => {
    const all = await ftmOf(final.entries);
    const one = await ftmOf(final.entries.slice(5, 6));
    for (const e of one) expect(all.find((a) => a.id === e.id)).toEqual(e);
    expect(cslId(final.entries[5]!)).toBe(
      cslId({ country: final.entries[5]!.country, name: final.entries[5]!.name }),
    );
  });

  it('gives a name listed twice under one destination ids of its own', async () => {
    const twice = [final.entries[0]!, { ...final.entries[0]!, addresses: ['Herat, Afghanistan'] }];
    const ids = (await ftmOf(twice)).map((e) => e.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('tells companies, organisations and persons apart as far as the name tells', () => {
    const kind = (name: string) => ftmSchemaOf({ name });
    expect(kind('Hangzhou Hikvision Digital Technology Co., Ltd.')).toBe('Company');
    expect(kind('Aimal and Balal Company')).toBe('Company');
    expect(kind('Xinjiang Uighur Autonomous Region (XUAR) People’s Government Public Security Bureau')).toBe(
      'Organization',
    );
    expect(kind('China Academy of Engineering Physics')).toBe('Organization');
    expect(kind('Emal Bilal Mangal')).toBe('Person');
    expect(kind('Abdul Satar Ghoura')).toBe('Person');
    expect(kind('Habib ur Rahman')).toBe('Person');
    expect(kind('Huawei Cloud Argentina')).toBe('Company');
    expect(kind('Lapcom Computer Stores')).toBe('Company');
    expect(kind('Rosoboronexport')).toBe('LegalEntity');
    expect(kind('SenseTime')).toBe('LegalEntity');
  });

  it('cuts values longer than the model allows and keeps them whole in notes', () => {
    const long = { ...final.entries[0]!, addresses: [`${'Building 7, '.repeat(30)}Kabul, Afghanistan`] };
    const [subject] = ftmEntities(long);
    expect(ftmProblems([subject!, ftmEntities(long)[1]!])).toEqual([]);
    expect(subject!.properties.notes).toContain(long.addresses[0]);
  });
});

describe('OpenSanctions delta', () => {
  it('says what changed between two states: ADD, MOD, DEL by stable id', () => {
    const lines = [...ftmDelta(baseline.entries, final.entries)];
    const before = new Set(baseline.entries.map(keyOf));
    const after = new Set(final.entries.map(keyOf));
    const added = [...after].filter((k) => !before.has(k)).length;
    const removed = [...before].filter((k) => !after.has(k)).length;
    const legal = lines.filter((l) => l.entity.schema !== 'Sanction');
    expect(legal.filter((l) => l.op === 'ADD')).toHaveLength(added);
    expect(legal.filter((l) => l.op === 'DEL')).toHaveLength(removed);
    expect(lines.filter((l) => l.op === 'MOD').length).toBeGreaterThan(0);
    expect([...ftmDelta(final.entries, final.entries)]).toEqual([]);
  });
});

describe('streaming', () => {
  it('yields the first rows before the last row is built', async () => {
    const entries = final.entries.slice(0, 300).map((e) => ({ ...e }));
    // The last entry cannot be built: reading its name throws.
    Object.defineProperty(entries[entries.length - 1], 'name', {
      get() {
        throw new Error('last row built');
      },
    });
    for (const format of ['csl-csv', 'csl-json', 'ftm'] as const) {
      const chunks = exportChunks(format, entries, { batch: 50 });
      const first = await chunks.next();
      expect(first.done).toBe(false);
      await expect(async () => {
        for (;;) if ((await chunks.next()).done) break;
      }).rejects.toThrow('last row built');
    }
  });
});

describe('selection', () => {
  it('matches destinations as subscription filters do', () => {
    const china = selectEntries(final.entries, { country: 'China' });
    expect(china.length).toBeGreaterThan(0);
    expect(china.every((e) => e.country === "CHINA, PEOPLE'S REPUBLIC OF")).toBe(true);
    expect(selectEntries(final.entries, { country: "china, people's republic of" })).toEqual(china);
    expect(selectEntries(final.entries, { country: 'CHINA' })).toEqual(china);
  });

  it('finds names and aliases whatever the case, accents, punctuation and word order', () => {
    const names = (q: string) => final.entries.filter(nameQuery(q)).map((e) => e.name);
    expect(names('Hikvision')).toEqual(['Hangzhou Hikvision Digital Technology Co., Ltd.']);
    expect(names('HIKVISION DIGITAL')).toEqual(names('digital, hikvision'));
    expect(names('zhejiang dahua technology co ltd')).toEqual(['Dahua Technology']);
    expect(names('Hikvison')).toEqual([]);
    expect(names('Çhina')).toEqual(names('china'));
  });
});

describe('dates and citations', () => {
  it('accepts only real calendar dates', () => {
    expect(isCalendarDate('2020-02-29')).toBe(true);
    expect(isCalendarDate('2020-02-30')).toBe(false);
    expect(isCalendarDate('2019-02-29')).toBe(false);
    expect(isCalendarDate('2019-13-01')).toBe(false);
    expect(isCalendarDate('2019-1-01')).toBe(false);
  });

  it('reads citations, two-digit years by their volume', () => {
    expect(parseCitation('84 FR 54002, 10/9/19')).toEqual({
      volume: 84,
      page: 54002,
      reference: '84 FR 54002',
      date: '2019-10-09',
    });
    expect(parseCitation('66 FR 24266, 5/14/01')?.date).toBe('2001-05-14');
    expect(parseCitation('63 FR 64322, 11/19/98')?.date).toBe('1998-11-19');
    expect(parseCitation('77 FR 58006')).toEqual({ volume: 77, page: 58006, reference: '77 FR 58006' });
  });
});
