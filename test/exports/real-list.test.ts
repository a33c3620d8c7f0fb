import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/entity-list/types.js';
import type { FtmEntity } from '../../src/exports/ftm.js';
import { cslCsvChunks, ftmChunks } from '../../src/exports/stream.js';
import { parseEcfrSupplement4 } from '../../src/sources/ecfr.js';
import { FIXTURES } from '../support/fixtures.js';
import { ftmProblems } from './ftm-model.js';

/**
 * Pure tier, on the real list: eCFR's Supplement No. 4 of 2026-07-23 (3,411 entries, see
 * test/fixtures/real/ecfr/README.md), read by our eCFR reader and exported. What
 * shared/tools/check_exports.py checks, and the FollowTheMoney model on every entity.
 */
let list: Snapshot;

async function text(chunks: AsyncGenerator<string>): Promise<string> {
  let out = '';
  for await (const c of chunks) out += c;
  return out;
}

beforeAll(() => {
  const xml = gunzipSync(
    readFileSync(join(FIXTURES, 'real', 'ecfr', 'part-744', 'title-15-part-744-2026-07-23.xml.gz')),
  ).toString('utf8');
  list = parseEcfrSupplement4(xml, { asOf: '2026-07-23' }).snapshot;
});

describe('exports of the real list of 2026-07-23', () => {
  it('writes one CSL row per entry, every alias counted', async () => {
    const rows = parse(await text(cslCsvChunks(list.entries)), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(rows).toHaveLength(list.entries.length);
    const aliases = list.entries.reduce((n, e) => n + e.aliases.length, 0);
    const written = rows.reduce((n, r) => n + r.alt_names!.split(';').filter((a) => a.trim()).length, 0);
    expect(written).toBe(aliases);
    expect(new Set(rows.map((r) => r._id)).size).toBe(rows.length);
  });

  it('builds FollowTheMoney entities the model accepts, one Sanction per entry', async () => {
    const entities = (await text(ftmChunks(list.entries)))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FtmEntity);
    expect(ftmProblems(entities)).toEqual([]);
    expect(new Set(entities.map((e) => e.id)).size).toBe(entities.length);
    const sanctions = entities.filter((e) => e.schema === 'Sanction');
    expect(sanctions).toHaveLength(list.entries.length);
    const byId = new Map(entities.map((e) => [e.id, e]));
    const names = sanctions.map((s) => byId.get(s.properties.entity![0]!)!.properties.name![0]).sort();
    expect(names).toEqual(list.entries.map((e) => e.name).sort());
  });
});
