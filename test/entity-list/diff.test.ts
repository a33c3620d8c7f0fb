import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applySnapshotDiff, canonicalSnapshot, diffSnapshots } from '../../src/entity-list/diff.js';
import { keyOf } from '../../src/entity-list/snapshot.js';
import type { ListedEntry, Snapshot } from '../../src/entity-list/types.js';
import { loadBaseline, loadFinal } from './corpus.js';

const baseline = loadBaseline();
const final = loadFinal();
/** Real entries to draw lists from: everything the timeline ever lists. */
const pool: ListedEntry[] = [
  ...new Map([...baseline.entries, ...final.entries].map((e) => [keyOf(e), e])).values(),
];

describe('diffSnapshots on the dev corpus (pure)', () => {
  const diff = diffSnapshots(baseline, final);

  it('finds what the timeline added, removed and revised', () => {
    expect(diff.counts).toEqual({ added: 183, removed: 6, revised: 10, editorial: 0 });
    const removed = diff.changes
      .filter((c) => c.kind === 'removed')
      .map((c) => c.kind === 'removed' && c.before.name);
    expect(removed).toContain('Enterprise Chips Hunter (ECH)');
    expect(removed).toContain('Nelford United Corp');
  });

  it('applied to the baseline, gives final.json', () => {
    expect(applySnapshotDiff(baseline, diff)).toEqual(final);
  });

  it('is sorted by key, and names the fields whose words changed', () => {
    const keys = diff.changes.map((c) => c.key);
    expect(keys).toEqual([...keys].sort());
    for (const c of diff.changes) {
      if (c.kind === 'revised') expect(c.fields.length).toBeGreaterThan(0);
    }
  });

  it('calls a change of punctuation, spacing, line breaks or case editorial, not a revision', () => {
    const entry = final.entries.find((e) => e.addresses.length > 0 && e.aliases.length > 0)!;
    const retyped: ListedEntry = {
      ...entry,
      name: entry.name.toUpperCase(),
      aliases: entry.aliases.map((a) => `${a}.`),
      addresses: entry.addresses.map((a) => a.replace(/, /g, ',\n  ')),
      licenseRequirement: entry.licenseRequirement.replace(/\.?$/, '.'),
    };
    const d = diffSnapshots(final, {
      ...final,
      entries: final.entries.map((e) => (e === entry ? retyped : e)),
    });
    expect(d.counts).toEqual({ added: 0, removed: 0, revised: 0, editorial: 1 });
    const [change] = d.changes;
    expect(change).toMatchObject({ kind: 'editorial', key: keyOf(entry) });
    expect(change!.kind === 'editorial' && change!.fields).toEqual(
      expect.arrayContaining(['name', 'aliases', 'addresses']),
    );
  });

  it('calls a destination cross-reference spelled another way editorial, a different one a revision', () => {
    // The Federal Register rule says "See alternate address under China" and the extraction writes
    // the canonical name; the eCFR prints "CHINA" or "PEOPLE'S REPUBLIC OF CHINA" in the same row.
    const entry = final.entries.find((e) => e.addresses.length > 0)!;
    const fromRule: ListedEntry = {
      ...entry,
      seeAlso: ["CHINA, PEOPLE'S REPUBLIC OF", 'UNITED ARAB EMIRATES'],
    };
    const list = (e: ListedEntry): Snapshot => ({
      ...final,
      entries: final.entries.map((x) => (x === entry ? e : x)),
    });
    for (const printed of [
      ['CHINA', 'UNITED ARAB EMIRATES'],
      ["PEOPLE'S REPUBLIC OF CHINA", 'U.A.E.'],
    ]) {
      const d = diffSnapshots(list(fromRule), list({ ...fromRule, seeAlso: printed }));
      expect(d.counts).toEqual({ added: 0, removed: 0, revised: 0, editorial: 1 });
      expect(d.changes[0]).toMatchObject({ kind: 'editorial', fields: ['seeAlso'] });
    }
    const elsewhere = diffSnapshots(list(fromRule), list({ ...fromRule, seeAlso: ['HONG KONG'] }));
    expect(elsewhere.counts).toEqual({ added: 0, removed: 0, revised: 1, editorial: 0 });
    expect(elsewhere.changes[0]).toMatchObject({ kind: 'revised', fields: ['seeAlso'] });
  });

  it('calls a changed word a revision, naming the field', () => {
    const entry = final.entries[7]!;
    const revised = { ...entry, licenseReviewPolicy: 'Case-by-case review for all items.' };
    const d = diffSnapshots(final, {
      ...final,
      entries: final.entries.map((e) => (e === entry ? revised : e)),
    });
    expect(d.counts).toEqual({ added: 0, removed: 0, revised: 1, editorial: 0 });
    expect(d.changes[0]).toMatchObject({ kind: 'revised', fields: ['licenseReviewPolicy'] });
  });

  it('pairs an entry whose name ends elsewhere in its cell by the words of the cell', () => {
    const entry = final.entries.find((e) => e.addresses.length > 1)!;
    const runOn: ListedEntry = {
      ...entry,
      name: `${entry.name}. ${entry.addresses[0]!}`,
      addresses: entry.addresses.slice(1),
    };
    const d = diffSnapshots(final, {
      ...final,
      entries: final.entries.map((e) => (e === entry ? runOn : e)),
    });
    expect(d.counts).toEqual({ added: 0, removed: 0, revised: 0, editorial: 1 });
    expect(d.changes[0]).toMatchObject({ kind: 'editorial', key: keyOf(runOn), previousKey: keyOf(entry) });
  });

  it('keeps a name listed twice in one list apart, whatever the order, and reports it', () => {
    const first = final.entries[0]!;
    const twin = { ...first, name: first.name.toUpperCase(), addresses: ['Elsewhere'] };
    const withTwin: Snapshot = { asOf: final.asOf, entries: [...final.entries, twin] };
    const d = diffSnapshots(final, withTwin);
    expect(d.counts).toEqual({ added: 1, removed: 0, revised: 0, editorial: 0 });
    expect(d.changes[0]).toMatchObject({ kind: 'added', after: twin });
    expect(d.shared.after.map((s) => s.listings.length)).toEqual([2]);
    const reversed = diffSnapshots(final, { ...withTwin, entries: [...withTwin.entries].reverse() });
    expect(reversed.changes).toEqual(d.changes);
    expect(diffSnapshots(withTwin, withTwin).changes).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Laws, as property tests over lists drawn from real entries with revisions and made-up entries.

const date = fc
  .integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2030, 11, 31) })
  .map((ms) => new Date(ms).toISOString().slice(0, 10));

const revision = (e: ListedEntry): fc.Arbitrary<ListedEntry> =>
  fc
    .record({
      aliases: fc.subarray(e.aliases),
      extraAddress: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined }),
      policy: fc.constantFrom(e.licenseReviewPolicy, 'Policy of denial.', 'Case-by-case review.'),
      citation: fc.option(fc.constantFrom('89 FR 37621, 5/8/24', '88 FR 40439, 6/12/23'), { nil: undefined }),
    })
    .map(({ aliases, extraAddress, policy, citation }) => ({
      ...e,
      aliases,
      addresses: extraAddress ? [...e.addresses, extraAddress] : e.addresses,
      licenseReviewPolicy: policy,
      federalRegisterCitations: citation
        ? [...e.federalRegisterCitations, citation]
        : e.federalRegisterCitations,
    }));

/** Made-up entries, including names that collide after normalisation (case, spacing, punctuation). */
const madeUp: fc.Arbitrary<ListedEntry> = fc
  .record({
    country: fc.constantFrom('RUSSIA', 'IRAN', 'CHINA, PEOPLE’S REPUBLIC OF', 'Canada'),
    name: fc.oneof(
      fc.string({ minLength: 1, maxLength: 12 }),
      fc.constantFrom('Alfa Co., Ltd.', 'ALFA CO LTD', 'Beta  Trade'),
    ),
    aliases: fc.array(fc.string({ maxLength: 10 }), { maxLength: 2 }),
  })
  .filter(({ country, name }) => keyOf({ country, name }).split('|')[1] !== '')
  .map(({ country, name, aliases }) => ({
    country,
    name,
    aliases,
    addresses: [],
    licenseRequirement: 'For all items subject to the EAR.',
    licenseReviewPolicy: 'Presumption of denial.',
    federalRegisterCitations: [],
  }));

const snapshotPair: fc.Arbitrary<[Snapshot, Snapshot]> = fc
  .record({
    aIndexes: fc.uniqueArray(fc.nat({ max: pool.length - 1 }), { maxLength: 40 }),
    bIndexes: fc.uniqueArray(fc.nat({ max: pool.length - 1 }), { maxLength: 40 }),
    aExtra: fc.array(madeUp, { maxLength: 5 }),
    bExtra: fc.array(madeUp, { maxLength: 5 }),
    aDate: date,
    bDate: date,
  })
  .chain(({ aIndexes, bIndexes, aExtra, bExtra, aDate, bDate }) =>
    fc
      .tuple(...bIndexes.map((i) => fc.oneof(fc.constant(pool[i]!), revision(pool[i]!))))
      .map((bPool): [Snapshot, Snapshot] => [
        { asOf: aDate, entries: [...aIndexes.map((i) => pool[i]!), ...aExtra] },
        { asOf: bDate, entries: [...bPool, ...bExtra] },
      ]),
  );

describe('diffSnapshots laws (pure, property tests)', () => {
  it('diff(a, a) is empty', () => {
    fc.assert(
      fc.property(snapshotPair, ([a]) => {
        const d = diffSnapshots(a, a);
        expect(d.changes).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('applying diff(a, b) to a gives b', () => {
    fc.assert(
      fc.property(snapshotPair, ([a, b]) => {
        expect(applySnapshotDiff(a, diffSnapshots(a, b))).toEqual(canonicalSnapshot(b));
      }),
      { numRuns: 300 },
    );
  });

  it('the order of either list does not matter', () => {
    fc.assert(
      fc.property(
        snapshotPair.chain(([a, b]) =>
          fc.tuple(
            fc.constant(a),
            fc.constant(b),
            fc.shuffledSubarray(a.entries, { minLength: a.entries.length }),
            fc.shuffledSubarray(b.entries, { minLength: b.entries.length }),
          ),
        ),
        ([a, b, aShuffled, bShuffled]) => {
          const d = diffSnapshots(a, b);
          const shuffled = diffSnapshots({ ...a, entries: aShuffled }, { ...b, entries: bShuffled });
          expect(shuffled.changes).toEqual(d.changes);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('diff(b, a) is diff(a, b) reversed: additions and removals swap', () => {
    fc.assert(
      fc.property(snapshotPair, ([a, b]) => {
        const ab = diffSnapshots(a, b).counts;
        const ba = diffSnapshots(b, a).counts;
        expect(ba).toEqual({
          added: ab.removed,
          removed: ab.added,
          revised: ab.revised,
          editorial: ab.editorial,
        });
      }),
      { numRuns: 200 },
    );
  });

  it('is sorted by key, one change per listing', () => {
    fc.assert(
      fc.property(snapshotPair, ([a, b]) => {
        const d = diffSnapshots(a, b);
        const keys = d.changes.map((c) => `${c.kind === 'removed' ? 'was ' : ''}${c.key}`);
        expect(d.changes.map((c) => c.key)).toEqual(d.changes.map((c) => c.key).sort());
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: 200 },
    );
  });
});
