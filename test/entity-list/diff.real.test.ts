/**
 * Editorial changes are not changes: the real eCFR list of 2026-03-25 and of 2026-07-23 have the same
 * words in every row, and eCFR re-rendered hundreds of rows (periods, line breaks) between them.
 * Read with the service's eCFR reader, the pair must diff as 0 added, 0 removed, 0 revised, and
 * the rest editorial; reconciliation of one against the other must report no drift.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffCommand } from '../../src/commands/diff.js';
import { applySnapshotDiff, canonicalSnapshot, diffSnapshots } from '../../src/entity-list/diff.js';
import { entryKey } from '../../src/entity-list/identity.js';
import { listingKeys } from '../../src/entity-list/listings.js';
import type { ListedEntry } from '../../src/entity-list/types.js';
import { driftEvent, sourceEditorialEvents } from '../../src/events/builders.js';
import { validateEvent } from '../../src/events/validate.js';
import { realList } from './real-list.js';

const march = realList('2026-03-25');
const july = realList('2026-07-23');

/** The same entry retyped: case, punctuation, line breaks and spacing changed, every word kept. */
function retyped(e: ListedEntry, i: number): ListedEntry {
  const retype = (s: string): string =>
    i % 2 === 0 ? s.toUpperCase().replace(/,\s*/g, ' ,\n') : s.toLowerCase().replace(/\./g, '');
  return {
    ...e,
    name: retype(e.name),
    aliases: e.aliases.map(retype),
    addresses: e.addresses.map(retype),
    licenseRequirement: `${e.licenseRequirement}.`,
  };
}

describe('the real eCFR pair 2026-03-25 → 2026-07-23 (pure)', () => {
  const diff = diffSnapshots(march, july);

  it('has no added, removed or revised entry: every difference is editorial', () => {
    expect(diff.counts.added).toBe(0);
    expect(diff.counts.removed).toBe(0);
    expect(diff.counts.revised).toBe(0);
    expect(diff.counts.editorial).toBeGreaterThan(100);
    for (const c of diff.changes) {
      expect(c.kind).toBe('editorial');
      if (c.kind === 'editorial') expect(c.fields.length).toBeGreaterThan(0);
    }
  });

  it('rebuilds the newer list from the older one and the differences', () => {
    expect(applySnapshotDiff(march, diff)).toEqual(canonicalSnapshot(july));
  });

  it('reconciled against each other, reports no drift; editorial events are built for opt-in only', () => {
    const drift = driftEvent(diff);
    expect(drift.data.differences).toEqual([]);
    expect(drift.data.counts).toMatchObject({ missing: 0, unexpected: 0, differs: 0 });
    expect(drift.data.counts.editorial).toBe(diff.counts.editorial);
    const editorial = sourceEditorialEvents(diff);
    expect(editorial).toHaveLength(diff.counts.editorial);
    expect(new Set(editorial.map((e) => e.type))).toEqual(new Set(['gov.bis.entitylist.entry.editorial']));
    for (const e of editorial.slice(0, 50)) expect(validateEvent(e)).toEqual({ valid: true });
  });

  it('keeps every key when case, punctuation, line breaks and spacing change', () => {
    const again = { ...july, entries: july.entries.map(retyped) };
    expect(listingKeys(again.entries).keys).toEqual(listingKeys(july.entries).keys);
    const d = diffSnapshots(july, again);
    expect(d.counts).toMatchObject({ added: 0, removed: 0, revised: 0 });
    expect(d.counts.editorial).toBe(july.entries.length);
  });

  it('keeps names that differ only after a comma apart', () => {
    const parent = entryKey('RUSSIA', 'Tactical Missile Corporation');
    const subsidiaries = [
      'Tactical Missile Corporation, Joint Stock Company Avangard',
      'Tactical Missile Corporation, NPO Electromechanics',
      'Tactical Missile Corporation, Petrovsky Electromechanical Plant “Molot”',
    ].map((name) => entryKey('RUSSIA', name));
    expect(new Set([parent, ...subsidiaries]).size).toBe(4);
    const institutes = july.entries.filter((e) => /^Academy of Military Medical Sciences/.test(e.name));
    expect(institutes.length).toBeGreaterThanOrEqual(8);
    const { keys } = listingKeys(institutes);
    expect(new Set(keys).size).toBe(institutes.length);
  });
});

describe('fedreg-watch diff on the real pair (pure, files)', () => {
  it('prints one JSON line per difference, all editorial, with the fields involved', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedreg-diff-'));
    writeFileSync(join(dir, 'old.json'), JSON.stringify(march));
    writeFileSync(join(dir, 'new.json'), JSON.stringify(july));
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } };
    expect(await diffCommand([join(dir, 'old.json'), join(dir, 'new.json')], io)).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; key: string; fields: string[]; changes: object });
    expect(lines.length).toBe(diffSnapshots(march, july).counts.editorial);
    for (const line of lines) {
      expect(line.kind).toBe('editorial');
      expect(Object.keys(line.changes).sort()).toEqual([...line.fields].sort());
    }
    expect(err).toMatch(/0 added, 0 removed, 0 revised, \d+ editorial/);
    expect(err).toMatch(/names "Zurmat General Trading" 2 times under UNITED ARAB EMIRATES: all are kept/);
  });

  it('refuses what is not a snapshot, with exit 2, and a missing argument with 64', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedreg-diff-'));
    writeFileSync(join(dir, 'bad.json'), '{"asOf": "yesterday"}');
    let err = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (err += s) } };
    expect(await diffCommand([join(dir, 'bad.json'), join(dir, 'bad.json')], io)).toBe(2);
    expect(err).toMatch(/SNAPSHOT_INVALID/);
    expect(await diffCommand([join(dir, 'bad.json')], io)).toBe(64);
  });
});
