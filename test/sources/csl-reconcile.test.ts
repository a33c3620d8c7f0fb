import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffSnapshots, wordChanges } from '../../src/entity-list/diff.js';
import { entryKey } from '../../src/entity-list/identity.js';
import type { Snapshot } from '../../src/entity-list/types.js';
import { cslCsvChunks } from '../../src/exports/stream.js';
import { comparableWithCsl, parseCslCsv, rehomeCslEntries } from '../../src/sources/csl.js';
import { realList } from '../entity-list/real-list.js';
import { REAL } from '../replay/helpers.js';

/**
 * Pure tier, on real files: reconciling the derived state with the CSL. The CSL has no destination
 * field and no footnotes; compared by key, the real list of 2026-07-23 and a CSL of it disagree on
 * hundreds of entries that say the same thing.
 */
const CHINA = "CHINA, PEOPLE'S REPUBLIC OF";
const list = realList('2026-07-23');

async function cslOf(snapshot: Snapshot): Promise<Snapshot> {
  let text = '';
  for await (const chunk of cslCsvChunks(snapshot.entries)) text += chunk;
  return parseCslCsv(text, { asOf: snapshot.asOf }).snapshot;
}

describe('the derived state compared with the CSL', () => {
  it('puts entities with Hong Kong addresses under China, as the list has since 2020', () => {
    // trade.gov's CSL of 2023-11-30 (real rows): entities the 2026 eCFR lists under China, with a
    // Hong Kong address only, come out of the address reading under HONG KONG.
    const csl = parseCslCsv(readFileSync(join(REAL, 'csl', 'watchman-csl-2023-11-30.csv'), 'utf8'), {
      asOf: '2023-11-30',
    }).snapshot;
    const underChina = new Set(
      list.entries.filter((e) => e.country === CHINA).map((e) => entryKey(CHINA, e.name)),
    );
    const hongKong = csl.entries.filter(
      (e) => e.country === 'HONG KONG' && underChina.has(entryKey(CHINA, e.name)),
    );
    expect(hongKong.length).toBeGreaterThan(50);
    const { snapshot, moved } = rehomeCslEntries(csl, list);
    for (const e of hongKong) {
      expect(moved).toContainEqual({ name: e.name, from: 'HONG KONG', to: CHINA });
      expect(snapshot.entries.map((x) => entryKey(x.country, x.name))).toContain(entryKey(CHINA, e.name));
    }
    const keys = snapshot.entries.map((e) => entryKey(e.country, e.name));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('finds the CSL of the real list to say what the list says, but for a few dozen entries', async () => {
    const csl = await cslOf(list);
    const byKey = wordChanges(diffSnapshots(list, csl));
    expect(byKey.filter((c) => c.kind === 'removed').length).toBeGreaterThan(300);
    const { reference, snapshot, moved } = comparableWithCsl(list, csl);
    expect(moved.length).toBeGreaterThan(300);
    const changes = wordChanges(diffSnapshots(reference, snapshot));
    // Left: entries whose addresses lie in other destinations than the one they are listed under
    // (a Dubai address of an entry under Canada) and rows that name no country at all.
    expect(changes.length).toBeLessThan(50);
    for (const c of changes) if (c.kind === 'revised') expect(c.fields).not.toContain('footnotes');
  });

  it('still finds a real change in the CSL: an address gone, an entry missing', async () => {
    const csl = await cslOf(list);
    const target = csl.entries.find((e) => e.country === 'HONG KONG' && e.addresses.length === 1)!;
    const gone = csl.entries.find((e) => e.country === 'RUSSIA')!;
    const edited: Snapshot = {
      ...csl,
      entries: csl.entries
        .filter((e) => e !== gone)
        .map((e) => (e === target ? { ...e, addresses: ['1 Other Road, Kowloon, Hong Kong'] } : e)),
    };
    const before = wordChanges(diffSnapshots(...pair(list, csl)));
    const after = wordChanges(diffSnapshots(...pair(list, edited)));
    const key = (c: (typeof after)[number]): string => `${c.kind} ${c.key}`;
    const extra = after.filter((c) => !before.some((b) => key(b) === key(c)));
    expect(extra.map(key).sort()).toEqual(
      [`removed ${entryKey('RUSSIA', gone.name)}`, `revised ${entryKey(CHINA, target.name)}`].sort(),
    );
  });
});

function pair(state: Snapshot, csl: Snapshot): [Snapshot, Snapshot] {
  const { reference, snapshot } = comparableWithCsl(state, csl);
  return [reference, snapshot];
}
